// SPDX-License-Identifier: Apache-2.0
// The outbox journal writes each batch as text directly (no DOM: it runs on every event that
// queues a write). That text must be exactly what nlohmann's DOM dumps for the same document —
// the form 0.1 journals were written in — for every operation and every kind of string.
#include <telcrm/json/outbox_json.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

using namespace telcrm;

namespace {

// The DOM's own compact dump of `text`, U+FFFD for bytes that are no UTF-8.
std::string through_dom(const std::string& text) {
  return nlohmann::ordered_json::parse(text).dump(-1, ' ', false,
                                                  nlohmann::ordered_json::error_handler_t::replace);
}

Timestamp at(int day, int seconds) {
  return std::chrono::sys_days(std::chrono::year(2026) / 11 / day) + std::chrono::seconds(seconds);
}

WriteBatch every_operation(const std::string& text) {
  WriteBatch b;
  b.call = "call " + text;
  b.seq = 4294967295U;
  b.at = at(24, 3661);
  b.claim = UnknownCallerClaim{text, at(1, 0), Seconds(300)};
  Lead lead;
  lead.id = -1;
  lead.title = text;
  lead.phones = {text, "+79161234567"};
  lead.modified = at(30, 86399);
  lead.source = text;
  lead.repeat = true;
  Contact contact;
  contact.id = -2;
  contact.name = text;
  contact.emails = {"a@b"};
  contact.company = -3;
  Company company;
  company.id = -3;
  company.title = text;
  company.responsible = 7;
  Deal deal;
  deal.title = text;
  deal.pipeline = -5;
  deal.contact = -2;
  Invoice invoice;
  invoice.amount = 1234.5;
  invoice.entity = {EntityType::deal, -4};
  invoice.call = text;
  CallActivity activity;
  activity.call = text;
  activity.bindings = {{EntityType::lead, -1}, {EntityType::contact, 12}};
  activity.subject = text;
  activity.start = at(2, 59);
  activity.duration = Seconds(61);
  activity.status = ActivityStatus::answered;
  activity.responsible = 3;
  activity.recording = text;
  activity.comment = text;
  CallRecord record{.call = text, .number = text, .line = "+74951234567", .start = at(3, 7)};
  record.employee = 9;
  b.ops = {CreateLead{lead},           CreateContact{contact},
           CreateCompany{company},     CreateDeal{deal},
           CreateInvoice{invoice},     Reassign{{EntityType::lead, -1}, 3},
           WriteActivity{activity},    RecordMissedCall{{text, text, text}},
           MarkCalledBack{text, text}, RecordCall{record},
           AttachRecording{text, text}};
  return b;
}

}  // namespace

TEST_CASE("R-I3 a batch's journal text is the DOM's dump, for every operation and string") {
  for (const std::string& text :
       {std::string("plain"), std::string(""), std::string("quote\" back\\slash /"),
        std::string("\b\f\n\r\t\x01\x1f\x7f", 8),
        std::string("\xD0\x96 \xE2\x82\xAC \xF0\x9F\x98\x80"),
        std::string("bad \xFF\xFE \xC0\xAF \xED\xA0\x80 \xE2\x82 end"),
        std::string("nul\0inside", 10)}) {
    CAPTURE(text);
    const WriteBatch b = every_operation(text);
    const std::string written = write_batch_to_json(b);
    CHECK(written == through_dom(written));
    // And the DOM of the same batch, built field by field from what was read back, dumps
    // the same text: nothing was lost or added on the way.
    auto back = write_batch_from_json(written);
    REQUIRE_MESSAGE(back.has_value(), back.error().message());
    CHECK(write_batch_to_json(*back) == written);
    CHECK(back->ops.size() == b.ops.size());
  }
  // Doubles are spelled as the DOM spells them.
  for (const double amount : {0.0, 1.0, 1234.5, 0.1, 1e21, -2.5e-7}) {
    CAPTURE(amount);
    WriteBatch b;
    b.call = "c";
    Invoice invoice;
    invoice.amount = amount;
    b.ops = {CreateInvoice{invoice}};
    const std::string written = write_batch_to_json(b);
    CHECK(written == through_dom(written));
    CHECK(written.find(nlohmann::ordered_json(amount).dump()) != std::string::npos);
  }
}
