// SPDX-License-Identifier: Apache-2.0
// Write batches as JSON lines, and the file-backed outbox journal (R-I3).
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/json/outbox_json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "model.hpp"
#include "record_fields.hpp"

namespace telcrm::json_detail {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// An operation: an object with one key, its kind.
template <class W>
void op_fields(W& w, const WriteOp& op) {
  std::visit(Overloaded{
                 [&](const CreateLead& c) {
                   w.object("create_lead", [&](W& o) { lead_fields(o, c.lead); });
                 },
                 [&](const CreateContact& c) {
                   w.object("create_contact", [&](W& o) { contact_fields(o, c.contact); });
                 },
                 [&](const CreateCompany& c) {
                   w.object("create_company", [&](W& o) { company_fields(o, c.company); });
                 },
                 [&](const CreateDeal& c) {
                   w.object("create_deal", [&](W& o) { deal_fields(o, c.deal); });
                 },
                 [&](const CreateInvoice& c) {
                   w.object("create_invoice", [&](W& o) { invoice_fields(o, c.invoice); });
                 },
                 [&](const Reassign& r) {
                   w.object("reassign", [&](W& o) {
                     o.object("entity", [&](W& e) { entity_ref_fields(e, r.entity); });
                     o.integer("to", r.to);
                   });
                 },
                 [&](const WriteActivity& a) {
                   w.object("activity", [&](W& o) { activity_fields(o, a.activity); });
                 },
                 [&](const RecordMissedCall& m) {
                   w.object("missed_call", [&](W& o) { missed_call_fields(o, m.missed); });
                 },
                 [&](const MarkCalledBack& m) {
                   w.object("called_back", [&](W& o) {
                     o.text("number", m.number);
                     o.text("call", m.call);
                   });
                 },
                 [&](const RecordCall& r) {
                   w.object("call_record", [&](W& o) { call_record_fields(o, r.record); });
                 },
                 [&](const AttachRecording& a) {
                   w.object("attach_recording", [&](W& o) {
                     o.text("call", a.call);
                     o.text("recording", a.recording);
                   });
                 },
             },
             op);
}

void read_op(Reader& r, const Json& j, const std::string& path, WriteOp& op) {
  if (!j.is_object() || j.size() != 1) return r.fail(path, "expected an object with one operation");
  const auto only = j.begin();  // (not items(): its proxy would not outlive this line)
  const std::string name = only.key();
  const Json& body = only.value();
  const std::string at = Reader::key_path(path, name);
  if (name == "create_lead") {
    Lead v;
    read_lead(r, body, at, v);
    op = CreateLead{std::move(v)};
  } else if (name == "create_contact") {
    Contact v;
    read_contact(r, body, at, v);
    op = CreateContact{std::move(v)};
  } else if (name == "create_company") {
    Company v;
    read_company(r, body, at, v);
    op = CreateCompany{std::move(v)};
  } else if (name == "create_deal") {
    Deal v;
    read_deal(r, body, at, v);
    op = CreateDeal{std::move(v)};
  } else if (name == "create_invoice") {
    Invoice v;
    read_invoice(r, body, at, v);
    op = CreateInvoice{std::move(v)};
  } else if (name == "reassign") {
    Reassign v;
    ObjectReader o(r, body, at);
    if (const Json* e = o.find("entity"); e != nullptr)
      read_entity_ref(r, *e, Reader::key_path(at, "entity"), v.entity);
    o.required("to", v.to);
    o.finish();
    op = v;
  } else if (name == "activity") {
    CallActivity v;
    read_activity(r, body, at, v);
    op = WriteActivity{std::move(v)};
  } else if (name == "missed_call") {
    MissedCall v;
    read_missed_call(r, body, at, v);
    op = RecordMissedCall{std::move(v)};
  } else if (name == "called_back") {
    MarkCalledBack v;
    ObjectReader o(r, body, at);
    o.required("number", v.number);
    o.required("call", v.call);
    o.finish();
    op = std::move(v);
  } else if (name == "attach_recording") {
    AttachRecording v;
    ObjectReader o(r, body, at);
    o.required("call", v.call);
    o.required("recording", v.recording);
    o.finish();
    op = std::move(v);
  } else if (name == "call_record") {
    CallRecord v;
    read_call_record(r, body, at, v);
    op = RecordCall{std::move(v)};
  } else {
    r.fail(at, "unknown operation");
  }
}

template <class W>
void batch_fields(W& w, const WriteBatch& batch) {
  w.text("call", batch.call);
  w.integer("seq", batch.seq);
  w.text("at", format_timestamp(batch.at));
  if (batch.claim) {
    w.object("claim", [&](W& c) {
      c.text("number", batch.claim->number);
      c.text("at", format_timestamp(batch.claim->at));
      c.integer("window", batch.claim->window.count());
    });
  } else {
    w.null("claim");
  }
  w.objects("ops", batch.ops, [](W& o, const WriteOp& op) { op_fields(o, op); });
}

void read_batch(Reader& r, const Json& j, const std::string& path, WriteBatch& batch) {
  ObjectReader o(r, j, path);
  o.required("call", batch.call);
  std::int64_t seq = 0;
  o.required("seq", seq);
  batch.seq = static_cast<std::uint32_t>(seq);
  o.optional("at", batch.at);
  if (const Json* c = o.find("claim"); c != nullptr && !c->is_null() && r.ok()) {
    UnknownCallerClaim claim;
    ObjectReader co(r, *c, Reader::key_path(path, "claim"));
    co.required("number", claim.number);
    co.required("at", claim.at);
    std::int64_t window = 0;
    co.required("window", window);
    claim.window = Seconds(window);
    co.finish();
    batch.claim = claim;
  }
  if (const Json* ops = o.find("ops"); ops != nullptr && r.ok()) {
    if (!ops->is_array()) return r.fail(Reader::key_path(path, "ops"), "expected an array");
    for (std::size_t i = 0; i < ops->size() && r.ok(); ++i) {
      WriteOp op;
      read_op(r, (*ops)[i], Reader::index_path(Reader::key_path(path, "ops"), i), op);
      batch.ops.push_back(std::move(op));
    }
  }
  o.finish();
}

}  // namespace

}  // namespace telcrm::json_detail

TELCRM_BEGIN_NAMESPACE

std::string write_batch_to_json(const WriteBatch& batch) {
  std::string out;
  {
    json_detail::TextWriter w(out);
    json_detail::batch_fields(w, batch);
  }
  return out;
}

Result<WriteBatch> write_batch_from_json(std::string_view text) {
  auto doc = json_detail::parse_document(text, "batch");
  if (!doc) return fail(doc.error());
  json_detail::Reader reader;
  WriteBatch batch;
  json_detail::read_batch(reader, *doc, "batch", batch);
  if (!reader.ok()) return fail(reader.error());
  return batch;
}

namespace {

Error os_error(const std::string& path, const char* what) {
  return Error(Errc::io_error, path + ": " + what + " (" + std::strerror(errno) + ")");
}

// Writes all of `text` at the end of `fd` (opened O_APPEND).
bool write_all(int fd, std::string_view text) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  return true;
}

std::string append_line(const WriteBatch& batch) {
  std::string line;
  line.reserve(512);
  {
    json_detail::TextWriter w(line);
    w.object("append", [&](json_detail::TextWriter& b) { json_detail::batch_fields(b, batch); });
  }
  line += '\n';
  return line;
}

// A removal, written as the DOM would print it, without building one (a line per applied
// batch).
std::string removal_line(std::string_view call, std::uint32_t seq) {
  std::string line = R"({"remove":{"call":)";
  json_detail::append_json_string(line, call);
  line += R"(,"seq":)";
  line += std::to_string(seq);
  line += "}}\n";
  return line;
}

// The directory holding `path`, synced so that a rename in it survives a crash.
bool sync_directory(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

Result<std::unique_ptr<FileOutboxJournal>> FileOutboxJournal::open(const std::string& path,
                                                                   FileJournalOptions options) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return fail(os_error(path, "cannot open"));
  std::unique_ptr<FileOutboxJournal> journal(new FileOutboxJournal(path, fd, options));
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(text.size()));
    if (n < 0) return fail(os_error(path, "cannot read"));
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  std::size_t line_number = 0;
  std::size_t good = 0;  // bytes up to the end of the last complete, readable line
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    const bool last = end == std::string::npos;
    const std::string_view line(text.data() + at, (last ? text.size() : end) - at);
    ++line_number;
    at = last ? text.size() : end + 1;
    if (line.empty()) {
      good = at;
      continue;
    }
    auto doc = json_detail::parse_document(line, "batch");
    if (last || !doc || !doc->is_object() || doc->size() != 1) {
      // Cut short by a crash while writing: it was never acknowledged. (A line is complete
      // only with its newline: a torn line may happen to parse.)
      if (last) break;
      return fail(Errc::storage_corrupt,
                  path + ": line " + std::to_string(line_number) + " is damaged");
    }
    json_detail::Reader reader;
    if (auto it = doc->find("append"); it != doc->end()) {
      WriteBatch batch;
      json_detail::read_batch(reader, *it, "append", batch);
      if (!reader.ok())
        return fail(Errc::storage_corrupt, path + ": line " + std::to_string(line_number) + ": " +
                                               reader.error().message());
      journal->keep_locked(std::move(batch.call), batch.seq, std::string(line) + "\n");
    } else if (auto rm = doc->find("remove"); rm != doc->end()) {
      std::string call;
      std::int64_t seq = 0;
      json_detail::ObjectReader o(reader, *rm, "remove");
      o.required("call", call);
      o.required("seq", seq);
      o.finish();
      if (!reader.ok())
        return fail(Errc::storage_corrupt, path + ": line " + std::to_string(line_number) + ": " +
                                               reader.error().message());
      journal->forget_locked(call, static_cast<std::uint32_t>(seq));
    } else {
      return fail(Errc::storage_corrupt,
                  path + ": line " + std::to_string(line_number) + " is not ours");
    }
    ++journal->lines_;
    good = at;
  }
  if (good < text.size()) {  // the torn tail goes, or the next line would be glued to it
    if (::ftruncate(fd, static_cast<off_t>(good)) != 0) return fail(os_error(path, "cannot cut"));
    journal->dirty_ = true;
  }
  journal->size_ = good;
  std::lock_guard lock(journal->mutex_);
  if (journal->pending_.empty() ? journal->lines_ > 0
                                : journal->lines_ - journal->pending_.size() >= compact_after &&
                                      journal->lines_ > 2 * journal->pending_.size())
    if (auto ok = journal->compact_locked(); !ok) return fail(ok.error());
  return journal;
}

FileOutboxJournal::~FileOutboxJournal() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> FileOutboxJournal::write_line(const std::string& text, std::size_t lines) {
  if (!write_all(fd_, text)) {
    const Error e = os_error(path_, "cannot write");
    // A part of the line may be in the file: cut it off, so the next line starts clean.
    (void)::ftruncate(fd_, static_cast<off_t>(size_));
    return fail(e);
  }
  size_ += text.size();
  lines_ += lines;
  dirty_ = true;
  return options_.sync_each_append ? flush_locked() : Result<void>{};
}

Result<void> FileOutboxJournal::compact_locked() {
  if (pending_.empty()) {  // nothing left: start the file afresh
    if (::ftruncate(fd_, 0) != 0) return fail(os_error(path_, "cannot truncate"));
    lines_ = 0;
    size_ = 0;
    dirty_ = true;
    return options_.sync_each_append ? flush_locked() : Result<void>{};
  }
  const std::string temporary = path_ + ".tmp";
  const int fd = ::open(temporary.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return fail(os_error(temporary, "cannot open"));
  std::string text;
  for (const auto& [order, line] : pending_) text += line;
  // The new file must be on the disk before it replaces the old one: a crash then leaves
  // one of the two whole.
  if (!write_all(fd, text) || ::fsync(fd) != 0 || ::rename(temporary.c_str(), path_.c_str()) != 0) {
    const Error e = os_error(temporary, "cannot write the compacted journal");
    ::close(fd);
    ::unlink(temporary.c_str());
    return fail(e);
  }
  if (!sync_directory(path_)) {
    const Error e = os_error(path_, "cannot sync the journal's directory");
    ::close(fd_);
    fd_ = fd;  // the rename happened: the new file is the journal
    lines_ = pending_.size();
    size_ = text.size();
    return fail(e);
  }
  ::close(fd_);
  fd_ = fd;
  lines_ = pending_.size();
  size_ = text.size();
  dirty_ = false;
  return {};
}

Result<void> FileOutboxJournal::append(const WriteBatch& batch) {
  std::lock_guard lock(mutex_);
  std::string line = append_line(batch);
  if (auto ok = write_line(line); !ok) return ok;
  keep_locked(batch.call, batch.seq, std::move(line));
  return {};
}

Result<void> FileOutboxJournal::remove(std::string_view call, std::uint32_t seq) {
  std::lock_guard lock(mutex_);
  const auto before = pending_.size();
  forget_locked(call, seq);
  if (pending_.size() == before) return {};  // not ours (already removed): nothing to note
  return note_removals_locked(removal_line(call, seq), 1);
}

Result<void> FileOutboxJournal::remove_all(std::span<const JournalKey> keys) {
  std::lock_guard lock(mutex_);
  std::string text;
  std::size_t lines = 0;
  for (const auto& k : keys) {
    const auto before = pending_.size();
    forget_locked(k.call, k.seq);
    if (pending_.size() == before) continue;  // not ours (already removed)
    text += removal_line(k.call, k.seq);
    ++lines;
  }
  return note_removals_locked(text, lines);
}

Result<void> FileOutboxJournal::note_removals_locked(const std::string& text, std::size_t lines) {
  if (lines == 0) return {};
  if (pending_.empty()) return compact_locked();  // nothing left: the file is emptied
  if (options_.sync_each_append) {
    // Every line waits for the disk in this mode: so may the compaction, here. (Otherwise
    // sync() compacts, without keeping appends waiting for the disk.)
    const std::size_t dead = lines_ + lines - pending_.size();  // with the removal lines
    if (dead >= compact_after && dead > 2 * pending_.size()) return compact_locked();
  }
  return write_line(text, lines);
}

bool FileOutboxJournal::compaction_due_locked() const {
  const std::size_t dead = lines_ - pending_.size();
  return !pending_.empty() && dead >= compact_after && dead > 2 * pending_.size();
}

// The pending lines are copied under the lock, then written and synced to `<path>.tmp`
// without it (appends and removals go on meanwhile, on the old file); under the lock again
// the lines appended meanwhile are added, and a removal line for each copied batch removed
// meanwhile, and the file is renamed over the journal. A crash leaves the old file or the
// new one, each whole.
Result<void> FileOutboxJournal::compact_if_due() {
  if (options_.sync_each_append) return {};  // compacted by remove()
  struct Copied {
    std::uint64_t order;
    std::string call;
    std::uint32_t seq;
  };
  std::vector<Copied> copied;
  std::string text;
  std::uint64_t upto = 0;
  {
    std::lock_guard lock(mutex_);
    if (compacting_ || !compaction_due_locked()) return {};
    compacting_ = true;
    for (const auto& [order, line] : pending_) text += line;
    copied.reserve(order_of_.size());
    for (const auto& [key, order] : order_of_) copied.push_back({order, key.first, key.second});
    upto = next_order_;
  }
  const std::string temporary = path_ + ".tmp";
  const int fd = ::open(temporary.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  bool written = fd >= 0 && write_all(fd, text) && ::fsync(fd) == 0;
  {
    std::lock_guard lock(mutex_);
    compacting_ = false;
    std::string more;
    std::size_t lines = copied.size();
    if (written) {
      for (auto it = pending_.lower_bound(upto); it != pending_.end(); ++it, ++lines)
        more += it->second;
      for (const auto& c : copied)
        if (pending_.count(c.order) == 0) {
          more += removal_line(c.call, c.seq);
          ++lines;
        }
      written = write_all(fd, more) && ::rename(temporary.c_str(), path_.c_str()) == 0;
    }
    if (!written) {
      const Error e = os_error(temporary, "cannot write the compacted journal");
      if (fd >= 0) ::close(fd);
      ::unlink(temporary.c_str());
      return fail(e);  // the journal goes on in the old file
    }
    ::close(fd_);
    fd_ = fd;
    lines_ = lines;
    size_ = text.size() + more.size();
    dirty_ = true;  // the lines added under the lock: synced by sync() after this
  }
  if (!sync_directory(path_)) return fail(os_error(path_, "cannot sync the journal's directory"));
  return {};
}

Result<std::vector<WriteBatch>> FileOutboxJournal::pending() const {
  std::lock_guard lock(mutex_);
  std::vector<WriteBatch> out;
  out.reserve(pending_.size());
  for (const auto& [order, line] : pending_) {  // lines this journal wrote or read whole
    auto doc = json_detail::parse_document(line, "batch");
    json_detail::Reader reader;
    WriteBatch& batch = out.emplace_back();
    if (doc && doc->is_object())
      if (auto it = doc->find("append"); it != doc->end())
        json_detail::read_batch(reader, *it, "append", batch);
    if (!doc || !reader.ok())
      return fail(Errc::storage_corrupt, path_ + ": a pending batch cannot be read back");
  }
  return out;
}

Result<void> FileOutboxJournal::flush_locked() {
  if (!dirty_) return {};
  if (::fdatasync(fd_) != 0) return fail(os_error(path_, "cannot sync"));
  dirty_ = false;
  return {};
}

Result<void> FileOutboxJournal::sync() {
  if (auto compacted = compact_if_due(); !compacted) return compacted;
  // The disk is waited for without the lock, on a duplicate of the descriptor (a compaction
  // may replace fd_ meanwhile; its new file was synced before it took over): appends go on.
  int fd = -1;
  {
    std::lock_guard lock(mutex_);
    if (!dirty_) return {};
    fd = ::dup(fd_);
    if (fd < 0) return flush_locked();
    dirty_ = false;
  }
  if (::fdatasync(fd) == 0) {
    ::close(fd);
    return {};
  }
  const Error e = os_error(path_, "cannot sync");
  ::close(fd);
  std::lock_guard lock(mutex_);
  dirty_ = true;  // the next sync tries again
  return fail(e);
}

void FileOutboxJournal::keep_locked(std::string call, std::uint32_t seq, std::string line) {
  // A batch appended again (a retry) keeps its first place.
  auto [at, fresh] = order_of_.try_emplace({std::move(call), seq}, next_order_);
  if (!fresh) return;
  pending_.emplace(next_order_++, std::move(line));
}

void FileOutboxJournal::forget_locked(std::string_view call, std::uint32_t seq) {
  auto at = order_of_.find({std::string(call), seq});
  if (at == order_of_.end()) return;
  pending_.erase(at->second);
  order_of_.erase(at);
}

std::size_t FileOutboxJournal::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

TELCRM_END_NAMESPACE
