// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the fields of each record a write batch carries, in document order, defined once
// and written by either of two writers:
//   DomWriter  builds a Json object (CRM snapshots and scenario results print it indented);
//   TextWriter appends the compact text the DOM would dump, without building one (the outbox
//              journal writes a line per batch on the event that queues it: through the DOM
//              that was ~40 % of `telcrm serve`'s own work per request).
// A record's fields: `template <class W> void lead_fields(W& w, const Lead& l)`.

#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/detail/utf8.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reader.hpp"

namespace telcrm::json_detail {

class DomWriter {
 public:
  void integer(std::string_view key, std::int64_t v) { j_[std::string(key)] = v; }
  void number(std::string_view key, double v) { j_[std::string(key)] = v; }
  void flag(std::string_view key, bool v) { j_[std::string(key)] = v; }
  void text(std::string_view key, std::string_view v) { j_[std::string(key)] = std::string(v); }
  void texts(std::string_view key, const std::vector<std::string>& v) {
    j_[std::string(key)] = Json(v);
  }
  void null(std::string_view key) { j_[std::string(key)] = nullptr; }
  template <class Fields>
  void object(std::string_view key, Fields&& fields) {
    DomWriter inner;
    fields(inner);
    j_[std::string(key)] = std::move(inner).take();
  }
  template <class Items, class Fields>
  void objects(std::string_view key, const Items& items, Fields&& fields) {
    Json list = Json::array();
    for (const auto& item : items) {
      DomWriter inner;
      fields(inner, item);
      list.push_back(std::move(inner).take());
    }
    j_[std::string(key)] = std::move(list);
  }
  [[nodiscard]] Json take() && { return std::move(j_); }

 private:
  Json j_ = Json::object();
};

// Appends `text` as a JSON string, as nlohmann's dump does (short escapes for \b \f \n \r \t,
// \u00xx for other control bytes, UTF-8 as it is); text that is not UTF-8 goes through the
// DOM's own writer, which puts U+FFFD in place of each bad sequence.
inline void append_json_string(std::string& out, std::string_view text) {
  const std::size_t start = out.size();
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t run = ::telcrm::detail::json_text_run(text, i);  // most text is one run
    out.append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {  // starts no UTF-8 sequence: the DOM's own writer replaces it
      out.resize(start);
      out += dump(Json(std::string(text)));
      return;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {  // another control byte (every other byte is in a run)
        constexpr char hex[] = "0123456789abcdef";
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
      }
    }
    ++i;
  }
  out += '"';
}

class TextWriter {
 public:
  explicit TextWriter(std::string& out) : out_(out) { out_ += '{'; }
  TextWriter(const TextWriter&) = delete;
  TextWriter& operator=(const TextWriter&) = delete;
  ~TextWriter() { out_ += '}'; }

  void integer(std::string_view key, std::int64_t v) {
    name(key);
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    out_.append(digits, static_cast<std::size_t>(end - digits));
  }
  void number(std::string_view key, double v) {  // the DOM's own spelling of a double
    name(key);
    out_ += dump(Json(v));
  }
  void flag(std::string_view key, bool v) {
    name(key);
    out_ += v ? "true" : "false";
  }
  void text(std::string_view key, std::string_view v) {
    name(key);
    append_json_string(out_, v);
  }
  void texts(std::string_view key, const std::vector<std::string>& v) {
    name(key);
    out_ += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out_ += ',';
      append_json_string(out_, v[i]);
    }
    out_ += ']';
  }
  void null(std::string_view key) {
    name(key);
    out_ += "null";
  }
  template <class Fields>
  void object(std::string_view key, Fields&& fields) {
    name(key);
    TextWriter inner(out_);
    fields(inner);
  }
  template <class Items, class Fields>
  void objects(std::string_view key, const Items& items, Fields&& fields) {
    name(key);
    out_ += '[';
    bool first = true;
    for (const auto& item : items) {
      if (!first) out_ += ',';
      first = false;
      TextWriter inner(out_);
      fields(inner, item);
    }
    out_ += ']';
  }

 private:
  void name(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    append_json_string(out_, key);
    out_ += ':';
  }
  std::string& out_;
  bool first_ = true;
};

// Optional values: the value, or null.
template <class W>
void optional_integer(W& w, std::string_view key, const std::optional<std::int64_t>& v) {
  if (v)
    w.integer(key, *v);
  else
    w.null(key);
}
template <class W>
void optional_text(W& w, std::string_view key, const std::optional<std::string>& v) {
  if (v)
    w.text(key, *v);
  else
    w.null(key);
}
template <class W>
void optional_time(W& w, std::string_view key, const std::optional<Timestamp>& v) {
  if (v)
    w.text(key, format_timestamp(*v));
  else
    w.null(key);
}

template <class W>
void entity_ref_fields(W& w, const EntityRef& ref) {
  w.text("type", format_as(ref.type));
  w.integer("id", ref.id);
}

template <class W>
void contact_fields(W& w, const Contact& c) {
  w.integer("id", c.id);
  w.text("name", c.name);
  w.texts("phones", c.phones);
  w.texts("emails", c.emails);
  optional_integer(w, "responsible", c.responsible);
  optional_integer(w, "company", c.company);
}

template <class W>
void company_fields(W& w, const Company& c) {
  w.integer("id", c.id);
  w.text("title", c.title);
  w.texts("phones", c.phones);
  w.texts("emails", c.emails);
  optional_integer(w, "responsible", c.responsible);
}

template <class W>
void lead_fields(W& w, const Lead& l) {
  w.integer("id", l.id);
  w.text("title", l.title);
  w.texts("phones", l.phones);
  optional_integer(w, "responsible", l.responsible);
  w.text("status", format_as(l.status));
  optional_time(w, "modified", l.modified);
  optional_integer(w, "contact", l.contact);
  optional_integer(w, "company", l.company);
  optional_text(w, "source", l.source);
  w.flag("repeat", l.repeat);
}

template <class W>
void deal_fields(W& w, const Deal& d) {
  w.integer("id", d.id);
  w.text("title", d.title);
  optional_integer(w, "contact", d.contact);
  optional_integer(w, "company", d.company);
  optional_integer(w, "responsible", d.responsible);
  w.text("stage", format_as(d.stage));
  w.integer("pipeline", d.pipeline);
  optional_time(w, "modified", d.modified);
  optional_text(w, "source", d.source);
  w.flag("repeat", d.repeat);
}

template <class W>
void invoice_fields(W& w, const Invoice& inv) {
  w.integer("id", inv.id);
  w.number("amount", inv.amount);
  w.object("entity", [&](W& e) { entity_ref_fields(e, inv.entity); });
  optional_integer(w, "responsible", inv.responsible);
  w.text("call", inv.call);
}

template <class W>
void activity_fields(W& w, const CallActivity& a) {
  w.integer("id", a.id);
  w.text("call", a.call);
  w.objects("bindings", a.bindings, [](W& b, const EntityRef& ref) { entity_ref_fields(b, ref); });
  w.text("subject", a.subject);
  w.text("direction", format_as(a.direction));
  w.text("start", format_timestamp(a.start));
  w.integer("duration", a.duration.count());
  w.text("status", format_as(a.status));
  optional_integer(w, "responsible", a.responsible);
  optional_text(w, "recording", a.recording);
  optional_text(w, "voicemail", a.voicemail);
  optional_text(w, "comment", a.comment);
}

template <class W>
void missed_call_fields(W& w, const MissedCall& m) {
  w.text("number", m.number);
  w.text("call", m.call);
  optional_text(w, "called_back_by", m.called_back_by);
}

template <class W>
void call_record_fields(W& w, const CallRecord& c) {
  w.text("call", c.call);
  w.text("direction", format_as(c.direction));
  w.text("number", c.number);
  w.text("line", c.line);
  w.text("start", format_timestamp(c.start));
  w.integer("duration", c.duration.count());
  w.integer("status_code", code_of(c.status));
  optional_integer(w, "employee", c.employee);
  w.text("crm", format_as(c.crm));
}

// A DOM of one record: `dom_of(lead_fields<DomWriter>, lead)`.
template <class Fields, class T>
Json dom_of(Fields fields, const T& value) {
  DomWriter w;
  fields(w, value);
  return std::move(w).take();
}

}  // namespace telcrm::json_detail
