// SPDX-License-Identifier: Apache-2.0
#pragma once
// The host's own database, as far as telcrm is concerned: plain rows in tables keyed by id.
// They stand for the tables of a real CRM (SQL tables, an ORM's models, a REST API's objects):
// their names and fields are the host's, not telcrm's — host_ports.hpp maps them to the ports.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace host {

struct PersonRow {  // telcrm: Contact
  long id = 0;
  std::string full_name;
  std::vector<std::string> phones, emails;
  std::optional<long> owner;  // the employee responsible
  std::optional<long> organisation;
};
struct OrganisationRow {  // telcrm: Company
  long id = 0;
  std::string name;
  std::vector<std::string> phones, emails;
  std::optional<long> owner;
};
struct EnquiryRow {  // telcrm: Lead
  long id = 0;
  std::string title;
  std::vector<std::string> phones;
  std::optional<long> owner;
  std::string state = "new";  // "new", "won", "dropped"
  std::optional<std::int64_t> changed_at;
  std::optional<long> person, organisation;
  std::optional<std::string> source;
  bool returning = false;
};
struct OpportunityRow {  // telcrm: Deal
  long id = 0;
  std::string title;
  std::optional<long> person, organisation, owner;
  std::string state = "open";  // "open", "won", "lost"
  long pipeline = 0;
  std::optional<std::int64_t> changed_at;
  std::optional<std::string> source;
  bool returning = false;
};
struct BillRow {  // telcrm: Invoice
  long id = 0;
  double amount = 0;
  std::string subject_kind;  // "person", "organisation", "enquiry", "opportunity", "bill"
  long subject = 0;
  std::optional<long> owner;
  std::string call;
};
struct CallNoteRow {  // telcrm: CallActivity
  long id = 0;
  std::string call;
  std::vector<std::pair<std::string, long>> about;  // (kind, id), as BillRow names them
  std::string subject, direction, outcome;
  std::int64_t started = 0, talked = 0;
  std::optional<long> owner;
  std::optional<std::string> recording, voicemail, comment;
};
struct MissedRow {
  std::string number, call;
  std::optional<std::string> called_back_by;
};
struct CallLogRow {  // telcrm: CallRecord
  std::string call, direction, number, line, crm;
  std::int64_t started = 0, talked = 0;
  int status = 0;
  std::optional<long> employee;
};
struct StaffRow {  // telcrm: Employee
  long id = 0;
  std::string name;
  bool enabled = true;
  std::string status = "available";  // "available", "away", "on a call"
  std::optional<std::string> mobile, desk_extension;
};

// What telcrm needs the host to keep for it: the answer to every write batch (by call and
// sequence number, R-I1) and who claimed an unknown number first (R-I2).
struct ReceiptRow {
  std::vector<std::pair<std::string, long>> created;  // (kind, id), in operation order
  std::optional<std::string> lost_to;
  std::int64_t made_at = 0;
};
struct ClaimRow {
  std::string number, call;
  std::int64_t at = 0;
  std::vector<std::pair<std::string, long>> created;
};

// One database: every table, one lock (a real database has transactions), and one id
// sequence shared by all tables — so ids are unique per table but not dense, as in many CRMs.
struct Database {
  std::mutex lock;
  long next_id = 100;
  long next_note = 1;
  std::map<long, PersonRow> people;
  std::map<long, OrganisationRow> organisations;
  std::map<long, EnquiryRow> enquiries;
  std::map<long, OpportunityRow> opportunities;
  std::map<long, BillRow> bills;
  std::vector<CallNoteRow> call_notes;
  std::vector<MissedRow> missed;
  std::vector<CallLogRow> call_log;
  std::map<std::pair<std::string, std::uint32_t>, ReceiptRow> receipts;
  std::vector<ClaimRow> claims;  // in the order they were made
};

struct StaffTable {
  mutable std::mutex lock;
  std::uint64_t version = 1;  // bumped by every change
  std::map<long, StaffRow> rows;
};

}  // namespace host
