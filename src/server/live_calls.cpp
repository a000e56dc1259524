// SPDX-License-Identifier: Apache-2.0
// The live-call journal of `telcrm serve` (see include/telcrm/server/live_calls.hpp).
#include "../compiled_lib.hpp"  // first: stops a build without TELCRM_COMPILED_LIB

#include <telcrm/server/live_calls.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

TELCRM_BEGIN_NAMESPACE
namespace server {
namespace {

// Percent-escapes what would break a line's fields: controls, space, '%'.
std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == '%' || c == 0x7f)
      out += fmt::format("%{:02X}", c);
    else
      out += ch;
  }
  return out;
}

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const std::string hex(s.substr(i + 1, 2));
      out += static_cast<char>(std::strtol(hex.c_str(), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string line_of(const CallStart& s) {
  const auto at = s.at ? std::chrono::duration_cast<Seconds>(s.at->time_since_epoch()).count() : 0;
  return fmt::format("B {} {} {} {}\n", escape(s.call), escape(s.line), escape(s.number), at);
}

Error io_error(const std::string& path, std::string_view what) {
  return Error(Errc::io_error, fmt::format("{}: {}: {}", path, what, std::strerror(errno)));
}

}  // namespace

Result<std::unique_ptr<FileLiveCalls>> FileLiveCalls::open(const std::string& path) {
  std::unique_ptr<FileLiveCalls> log(new FileLiveCalls(path));
  {
    std::ifstream in(path);
    std::vector<CallStart> begun;
    std::set<std::string> ended;
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      std::string kind, call;
      fields >> kind >> call;
      if (kind == "B") {
        std::string where, number;
        long long at = 0;
        fields >> where >> number >> at;
        if (!fields) continue;  // a line cut short by the crash: the call never began
        CallStart s;
        s.call = unescape(call);
        s.line = unescape(where);
        s.number = unescape(number);
        s.at = Timestamp(Seconds(at));
        begun.push_back(std::move(s));
      } else if (kind == "E" && !call.empty()) {
        ended.insert(unescape(call));
      }
    }
    for (auto& s : begun)
      if (!ended.count(s.call) &&
          std::none_of(log->left_.begin(), log->left_.end(),
                       [&](const CallStart& o) { return o.call == s.call; }))
        log->left_.push_back(std::move(s));
  }
  std::lock_guard lock(log->mutex_);
  if (auto ok = log->rewrite_locked(); !ok) return fail(ok.error());
  return log;
}

FileLiveCalls::~FileLiveCalls() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> FileLiveCalls::closed_interrupted() {
  std::unique_lock lock(mutex_);
  written_cv_.wait(lock, [&] { return !writing_; });
  left_.clear();
  return rewrite_locked();
}

// Writes the open calls to a new file and renames it over the old one (never a moment with
// neither), then appends there. Never while a batch is being written (writing_).
Result<void> FileLiveCalls::rewrite_locked() {
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(io_error(tmp, "cannot create"));
  std::vector<const std::pair<std::uint64_t, CallStart>*> running;
  running.reserve(open_.size());
  for (const auto& [call, entry] : open_) running.push_back(&entry);
  std::sort(running.begin(), running.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string text;
  for (const auto& s : left_) text += line_of(s);
  for (const auto* entry : running) text += line_of(entry->second);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) return fail(io_error(tmp, "cannot write"));
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return fail(io_error(path_, "cannot replace"));
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) return fail(io_error(path_, "cannot open"));
  lines_ = left_.size() + open_.size();
  return {};
}

// Group commit: the first thread to find no write running writes every queued line at once
// (the kernel keeps them when the process dies); the others wait until their line is in.
void FileLiveCalls::append(std::unique_lock<std::mutex>& lock, std::string_view line) {
  queued_.append(line);
  const std::uint64_t mine = ++queued_n_;
  while (written_n_ < mine) {
    if (writing_) {
      written_cv_.wait(lock);
      continue;
    }
    writing_ = true;
    std::string batch;
    batch.swap(queued_);
    const std::uint64_t upto = queued_n_;
    const int fd = fd_;
    lock.unlock();
    if (fd >= 0) (void)!::write(fd, batch.data(), batch.size());
    lock.lock();
    lines_ += upto - written_n_;
    written_n_ = upto;
    if (lines_ > 4096 && lines_ > 4 * (left_.size() + open_.size())) (void)rewrite_locked();
    writing_ = false;
    written_cv_.notify_all();
  }
}

void FileLiveCalls::began(const CallStart& start) {
  const std::string line = line_of(start);
  std::unique_lock lock(mutex_);
  open_.insert_or_assign(start.call, std::pair{begun_++, start});
  append(lock, line);
}

void FileLiveCalls::ended(std::string_view call) {
  const std::string line = fmt::format("E {}\n", escape(call));
  std::unique_lock lock(mutex_);
  if (auto it = open_.find(std::string(call)); it != open_.end()) open_.erase(it);
  append(lock, line);
}

}  // namespace server
TELCRM_END_NAMESPACE
