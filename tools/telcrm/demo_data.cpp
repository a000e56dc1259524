// SPDX-License-Identifier: Apache-2.0
#include "demo_data.hpp"

#include <telcrm/phone/phone_normalizer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <string_view>

namespace telcrm::cli {

namespace {

// A numbering plan, enough to make numbers that read as real ones.
struct Plan {
  std::string_view region;
  std::string_view cc;
  std::string_view trunk;
  std::vector<std::pair<std::string_view, int>> prefixes;  // prefix, subscriber digits
};

const std::array<Plan, 8> plans{{
    {"RU",
     "7",
     "8",
     {{"903", 7},
      {"905", 7},
      {"909", 7},
      {"910", 7},
      {"915", 7},
      {"916", 7},
      {"917", 7},
      {"925", 7},
      {"926", 7},
      {"965", 7},
      {"985", 7},
      {"495", 7},
      {"499", 7},
      {"812", 7}}},
    {"DE",
     "49",
     "0",
     {{"151", 8}, {"160", 8}, {"170", 8}, {"176", 8}, {"30", 8}, {"40", 7}, {"89", 7}}},
    {"UA", "380", "0", {{"50", 7}, {"67", 7}, {"93", 7}, {"44", 7}}},
    {"KZ", "7", "8", {{"701", 7}, {"705", 7}, {"747", 7}, {"777", 7}}},
    {"FR", "33", "0", {{"6", 8}, {"7", 8}, {"1", 8}}},
    {"ES", "34", "", {{"6", 8}, {"91", 7}}},
    {"US", "1", "1", {{"212", 7}, {"415", 7}, {"646", 7}}},
    {"GB", "44", "0", {{"7911", 6}, {"20", 8}}},
}};

struct Number {
  const Plan* plan = nullptr;
  std::string nsn;  // national significant number
  [[nodiscard]] std::string e164() const { return "+" + std::string(plan->cc) + nsn; }
};

class Gen {
 public:
  explicit Gen(std::uint64_t seed) : rng_(seed) {}
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_() % n); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }
  std::string digits(int n, bool no_leading_low = false) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      int d = static_cast<int>(below(10));
      if (i == 0 && no_leading_low) d = 2 + static_cast<int>(below(8));
      out += static_cast<char>('0' + d);
    }
    return out;
  }
  // Mostly Russian (the default region), then the neighbours and a few far away.
  Number number(bool domestic_only = false) {
    static constexpr std::array<int, 8> weights{70, 9, 6, 5, 3, 3, 2, 2};
    std::size_t which = 0;
    if (!domestic_only) {
      int roll = static_cast<int>(below(100));
      while (roll >= weights[which]) roll -= weights[which++];
    }
    const Plan& p = plans[which];
    const auto& [prefix, rest] = p.prefixes[below(p.prefixes.size())];
    return {&p, std::string(prefix) + digits(rest, p.region == "US")};
  }

 private:
  std::mt19937_64 rng_;
};

// "9161234567" → "916 123-45-67" (Russian habit), else groups of three.
std::string grouped(const Number& n, Gen& g) {
  const std::string& s = n.nsn;
  if ((n.plan->region == "RU" || n.plan->region == "KZ") && s.size() == 10) {
    const char* sep = g.chance(0.5) ? "-" : " ";
    return fmt::format("{} {}{}{}{}{}", s.substr(0, 3), s.substr(3, 3), sep, s.substr(6, 2), sep,
                       s.substr(8));
  }
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && i % 3 == 0 && s.size() - i > 1) out += ' ';
    out += s[i];
  }
  return out;
}

// The number the way a person might have typed it into a CRM that lives in Russia.
std::string written(const Number& n, Gen& g) {
  const std::string cc(n.plan->cc);
  const bool domestic = n.plan->region == "RU";
  switch (g.below(domestic ? 12 : 7)) {
    case 0: return "+" + cc + " " + grouped(n, g);
    case 1: return "+" + cc + n.nsn;
    case 2: return "00" + cc + " " + grouped(n, g);
    case 3: return "810 " + cc + " " + grouped(n, g);
    case 4: return fmt::format("+{} ({}) {}", cc, n.nsn.substr(0, 3), n.nsn.substr(3));
    case 5:
      return n.plan->trunk.empty() ? "+" + cc + "-" + n.nsn
                                   : fmt::format("+{} ({}){}", cc, n.plan->trunk, grouped(n, g));
    case 6: return "tel:+" + cc + n.nsn;
    // Domestic habits: the trunk prefix, the country code without +, spreadsheets, extensions.
    case 7: return fmt::format("8 ({}) {}", n.nsn.substr(0, 3), grouped(n, g).substr(4));
    case 8: return "8-" + grouped(n, g);
    case 9: return cc + n.nsn;
    case 10: return g.chance(0.5) ? cc + n.nsn + ".0" : "'+" + cc + n.nsn;
    default: return fmt::format("+{} {} доб. {}", cc, grouped(n, g), 10 + g.below(90));
  }
}

const std::vector<std::string_view> first_names{
    "Ivan", "Olga",   "Sergei", "Anna",  "Pavel",   "Maria",  "Dmitri", "Elena", "Nikolai", "Irina",
    "Hans", "Sabine", "Oksana", "Taras", "Aigerim", "Nurlan", "Claire", "Lucía", "John",    "Emma"};
const std::vector<std::string_view> last_names{
    "Petrov", "Ivanova", "Smirnov",    "Kuznetsova", "Popov",  "Volkova", "Sokolov", "Lebedeva",
    "Becker", "Schmidt", "Shevchenko", "Bondar",     "Abenov", "Martin",  "García",  "Smith"};
const std::vector<std::string_view> company_words{"Logistics", "Trade", "Stroy",   "Tech",   "Agro",
                                                  "Service",   "Group", "Systems", "Market", "Pro"};
const std::vector<std::string_view> junk{
    "n/a", "нет", "000", "+7", "12-34", "см. почту", "8 800", "уточнить у Анны", "0", "-"};

}  // namespace

CrmSnapshot generate_crm(const DemoSize& size, std::span<const Employee> employees,
                         DemoDataStats& stats,
                         const std::function<void(std::size_t, std::size_t)>& progress) {
  Gen g(size.seed);
  CrmSnapshot crm;
  std::vector<EmployeeId> staff;
  for (const auto& e : employees)
    if (e.active) staff.push_back(e.id);
  const std::size_t total = size.companies + size.contacts + size.leads;
  std::size_t done = 0;
  auto tick = [&] {
    if (progress && (++done % 4096 == 0 || done == total)) progress(done, total);
  };
  std::vector<std::string> some_phones;  // to share between records now and then
  auto phone = [&](bool domestic_only = false) {
    ++stats.phones;
    if (g.chance(0.01)) {
      ++stats.junk_phones;
      return std::string(g.pick(junk));
    }
    if (!some_phones.empty() && g.chance(0.02)) {
      ++stats.shared_numbers;
      return g.pick(some_phones);
    }
    Number n = g.number(domestic_only);
    if (n.plan->region != "RU") ++stats.foreign_phones;
    std::string text = written(n, g);
    if (some_phones.size() < 4096) some_phones.push_back(text);
    return text;
  };
  const Timestamp now = std::chrono::sys_days(std::chrono::year(2026) / 11 / 24);
  auto recently = [&] { return now - Seconds(static_cast<std::int64_t>(g.below(30 * 86400))); };

  for (std::size_t i = 0; i < size.companies; ++i) {
    Company c;
    c.id = static_cast<EntityId>(i + 1);
    c.title = fmt::format("{} {} {}", g.pick(last_names), g.pick(company_words), i + 1);
    c.phones = {phone()};
    if (g.chance(0.2)) c.phones.push_back(phone(true));
    c.responsible = g.pick(staff);
    crm.companies.push_back(std::move(c));
    tick();
  }
  for (std::size_t i = 0; i < size.contacts; ++i) {
    Contact c;
    c.id = static_cast<EntityId>(i + 1);
    c.name = fmt::format("{} {}", g.pick(first_names), g.pick(last_names));
    c.phones = {phone()};
    if (g.chance(0.3)) c.phones.push_back(phone(true));
    if (g.chance(0.1)) c.emails.push_back(fmt::format("client{}@example.com", i + 1));
    c.responsible = g.pick(staff);
    if (size.companies > 0 && g.chance(0.4))
      c.company = static_cast<EntityId>(1 + g.below(size.companies));
    crm.contacts.push_back(std::move(c));
    tick();
  }
  EntityId deal_id = 0;
  auto deal_for = [&](std::optional<EntityId> contact, std::optional<EntityId> company,
                      DealStage stage) {
    Deal d;
    d.id = ++deal_id;
    d.title = fmt::format("Order {}", d.id);
    d.contact = contact;
    d.company = company;
    d.stage = stage;
    d.responsible = g.pick(staff);
    d.modified = recently();
    d.source = "CALL";
    crm.deals.push_back(std::move(d));
  };
  for (const auto& c : crm.contacts) {
    if (g.chance(0.25)) deal_for(c.id, c.company, DealStage::in_progress);
    if (g.chance(0.10)) deal_for(c.id, c.company, g.chance(0.5) ? DealStage::won : DealStage::lost);
  }
  for (const auto& c : crm.companies)
    if (g.chance(0.2)) deal_for(std::nullopt, c.id, DealStage::in_progress);
  for (std::size_t i = 0; i < size.leads; ++i) {
    Lead l;
    l.id = static_cast<EntityId>(i + 1);
    l.title = fmt::format("Website request {}", i + 1);
    l.phones = {phone()};
    l.responsible = g.pick(staff);
    const auto roll = g.below(10);
    l.status =
        roll < 7 ? LeadStatus::in_progress : (roll < 9 ? LeadStatus::converted : LeadStatus::junk);
    l.modified = recently();
    l.source = g.chance(0.5) ? "WEB" : "CALL";
    crm.leads.push_back(std::move(l));
    tick();
  }
  return crm;
}

std::vector<ScenarioCall> generate_day(const DemoSize& size, const IntegrationSettings& settings,
                                       std::span<const Employee> employees, const CrmSnapshot& crm,
                                       Timestamp day) {
  Gen g(size.seed + 1);
  std::vector<EmployeeId> staff;
  for (const auto& e : employees)
    if (e.active) staff.push_back(e.id);
  // Lines by the kind of caller they serve: the first Russian line takes most calls, a
  // foreign line (if any) its country's callers.
  const LineSettings* main_line = &settings.lines.front();
  std::vector<const LineSettings*> russian, foreign;
  for (const auto& l : settings.lines)
    (l.number.rfind("+7", 0) == 0 ? russian : foreign).push_back(&l);
  auto line_for = [&](std::string_view e164) -> const LineSettings* {
    for (const auto* l : foreign)
      if (e164.substr(0, 3) == l->number.substr(0, 3)) return l;
    if (!russian.empty() && g.chance(0.3)) return g.pick(russian);
    return main_line;
  };
  // A stored number as a caller ID shows it: E.164, or the way a phone displays it at home.
  const PhoneNormalizer normalizer;
  auto as_caller_id = [&](const std::string& stored, std::string& e164) {
    const PhoneNumber n = normalizer.normalize(stored, settings.default_region);
    if (!n.is_dialable()) return stored;  // junk stays junk: the call is "not a number"
    e164 = std::string(n.e164());
    switch (g.below(3)) {
      case 0: return e164;
      case 1:
        return n.country_code() == 7 ? "8" + std::string(n.national_number())
                                     : "00" + e164.substr(1);
      default: return e164.substr(1);
    }
  };
  std::vector<std::string> unknown_pool;
  std::vector<ScenarioCall> calls;
  for (std::size_t i = 0; i < size.calls; ++i) {
    ScenarioCall c;
    c.id = fmt::format("d{:04}", i + 1);
    // 06:00–17:00 UTC: 09:00–20:00 in Moscow.
    c.at = day + std::chrono::hours(6) +
           Seconds(static_cast<std::int64_t>(i * 11 * 3600 / std::max<std::size_t>(size.calls, 1)));
    std::string e164;
    const auto kind = g.below(100);
    if (kind < 50 && !crm.contacts.empty()) {  // a known contact, written another way
      c.from = as_caller_id(crm.contacts[g.below(crm.contacts.size())].phones.front(), e164);
    } else if (kind < 60 && !crm.companies.empty()) {
      c.from = as_caller_id(crm.companies[g.below(crm.companies.size())].phones.front(), e164);
    } else if (kind < 82 || unknown_pool.empty()) {  // somebody new
      Number n = g.number();
      e164 = n.e164();
      c.from = written(n, g);
      unknown_pool.push_back(c.from);
    } else if (kind < 87) {  // somebody new calling again
      c.from = g.pick(unknown_pool);
    } else if (kind < 90) {  // an employee's mobile or inner extension
      const auto& e = employees[g.below(employees.size())];
      c.from = e.phones.mobile ? *e.phones.mobile : (e.extension ? *e.extension : "201");
    } else if (kind < 92 && !settings.exceptions.phones.empty()) {
      c.from = g.pick(settings.exceptions.phones);
    } else if (kind < 97) {  // an employee calls a client or a number that called before
      c.direction = CallDirection::outgoing;
      c.employee = g.pick(staff);
      c.to = !unknown_pool.empty() && g.chance(0.5)
                 ? g.pick(unknown_pool)
                 : crm.contacts[g.below(crm.contacts.size())].phones.front();
      c.line = main_line->number;
      c.duration = Seconds(g.chance(0.7) ? static_cast<std::int64_t>(20 + g.below(400)) : 0);
      calls.push_back(std::move(c));
      continue;
    } else {  // a web callback request
      c.direction = CallDirection::callback;
      c.from = crm.contacts.empty() ? written(g.number(), g)
                                    : crm.contacts[g.below(crm.contacts.size())].phones.front();
    }
    c.line = line_for(e164.empty() ? c.from : e164)->number;
    // Who picks up when rung: each of the staff now and then; on a busy day most calls find
    // somebody, some nobody.
    for (EmployeeId e : staff)
      if (g.chance(0.45)) c.answers.push_back(e);
    if (g.chance(0.08))
      c.presence.emplace_back(g.pick(staff), g.chance(0.5) ? Presence::busy : Presence::offline);
    std::sort(c.presence.begin(), c.presence.end());
    c.presence.erase(std::unique(c.presence.begin(), c.presence.end(),
                                 [](const auto& a, const auto& b) { return a.first == b.first; }),
                     c.presence.end());
    if (g.chance(0.2))
      c.caller_hangs_up_after = Seconds(static_cast<std::int64_t>(10 + g.below(40)));
    c.duration = Seconds(static_cast<std::int64_t>(20 + g.below(580)));
    c.recording = fmt::format("rec-{}.mp3", c.id);
    if (g.chance(0.5)) c.voicemail = fmt::format("vm-{}.mp3", c.id);
    if (g.chance(0.03)) c.transfer_to = g.pick(staff);
    if (g.chance(0.02)) c.during_call.push_back({ScenarioAction::Kind::create_deal, "Quote", 0});
    if (g.chance(0.01))
      c.during_call.push_back({ScenarioAction::Kind::create_invoice, "",
                               1000.0 * static_cast<double>(1 + g.below(50))});
    calls.push_back(std::move(c));
  }
  return calls;
}

}  // namespace telcrm::cli
