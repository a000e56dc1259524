// SPDX-License-Identifier: Apache-2.0
#pragma once
// Index snapshot files. Layout (little-endian, as written by this machine's integers):
//   "TCRMIDX\n" | u32 version | u32 suffix digits | u8 n + region code | u64 cursor |
//   u64 entities | the entities | u64 checksum of everything before it
// An entity: u8 type, i64 id, u8 flags (exists, repeat, and which optionals are set),
//   [i64 responsible] [i64 contact] [i64 company] [i64 modified], u8 lead status,
//   u8 deal stage, u16 phones × (u64 key, u8 kind, u8 form), u16 open deals × (i64 id,
//   u8 has-time, [i64 modified]), u16 open repeat leads × i64 id.

#include <telcrm/crm/index_snapshot.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

TELCRM_BEGIN_NAMESPACE

namespace detail {

inline constexpr char index_snapshot_magic[8] = {'T', 'C', 'R', 'M', 'I', 'D', 'X', '\n'};

// A checksum that reads 8 bytes a step (a multiply-rotate mix): damaged or truncated files are
// what it must catch, not an adversary.
class SnapshotSum {
 public:
  void add(const char* p, std::size_t n) {
    std::size_t i = 0;
    if (fill_ == 0)  // whole words at a time
      for (; i + 8 <= n; i += 8) {
        std::memcpy(&word_, p + i, 8);
        mix();
      }
    for (; i < n; ++i) {
      word_ |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * fill_);
      if (++fill_ == 8) mix();
    }
  }
  [[nodiscard]] std::uint64_t value() const {
    SnapshotSum copy = *this;
    copy.word_ ^= 0x80ULL << (8 * copy.fill_);
    copy.mix();
    return copy.h_ ^ (copy.h_ >> 29);
  }

 private:
  void mix() {
    h_ = (h_ ^ word_) * 0x9E3779B97F4A7C15ULL;
    h_ = (h_ << 31) | (h_ >> 33);
    word_ = 0;
    fill_ = 0;
  }
  std::uint64_t h_ = 0x243F6A8885A308D3ULL;
  std::uint64_t word_ = 0;
  unsigned fill_ = 0;
};

class SnapshotWriter {
 public:
  explicit SnapshotWriter(std::string& out) : out_(out) {}
  template <class T>
  void put(T v) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    out_.append(bytes, sizeof(T));
  }
  void put_bytes(std::string_view s) { out_.append(s); }

 private:
  std::string& out_;
};

class SnapshotReader {
 public:
  SnapshotReader(const char* p, std::size_t n) : p_(p), end_(p + n) {}
  template <class T>
  bool get(T& v) {
    if (static_cast<std::size_t>(end_ - p_) < sizeof(T)) return false;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return true;
  }
  bool get_bytes(std::size_t n, std::string_view& out) {
    if (static_cast<std::size_t>(end_ - p_) < n) return false;
    out = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  [[nodiscard]] bool at_end() const { return p_ == end_; }

 private:
  const char* p_;
  const char* end_;
};

inline void put_entity(SnapshotWriter& w, const EntityFacts& f) {
  w.put(static_cast<std::uint8_t>(f.ref.type));
  w.put(static_cast<std::int64_t>(f.ref.id));
  const auto flags =
      static_cast<std::uint8_t>((f.exists ? 1 : 0) | (f.repeat ? 2 : 0) | (f.responsible ? 4 : 0) |
                                (f.contact ? 8 : 0) | (f.company ? 16 : 0) | (f.modified ? 32 : 0));
  w.put(flags);
  if (f.responsible) w.put(static_cast<std::int64_t>(*f.responsible));
  if (f.contact) w.put(static_cast<std::int64_t>(*f.contact));
  if (f.company) w.put(static_cast<std::int64_t>(*f.company));
  if (f.modified) w.put(static_cast<std::int64_t>(f.modified->time_since_epoch().count()));
  w.put(static_cast<std::uint8_t>(f.lead_status));
  w.put(static_cast<std::uint8_t>(f.deal_stage));
  w.put(static_cast<std::uint16_t>(std::min<std::size_t>(f.phones.size(), 0xFFFF)));
  for (std::size_t i = 0; i < f.phones.size() && i < 0xFFFF; ++i) {
    w.put(f.phones[i].key);
    w.put(static_cast<std::uint8_t>(f.phones[i].kind));
    w.put(static_cast<std::uint8_t>(f.phones[i].form));
  }
  w.put(static_cast<std::uint16_t>(std::min<std::size_t>(f.open_deals.size(), 0xFFFF)));
  for (std::size_t i = 0; i < f.open_deals.size() && i < 0xFFFF; ++i) {
    w.put(static_cast<std::int64_t>(f.open_deals[i].id));
    w.put(static_cast<std::uint8_t>(f.open_deals[i].modified ? 1 : 0));
    if (f.open_deals[i].modified)
      w.put(static_cast<std::int64_t>(f.open_deals[i].modified->time_since_epoch().count()));
  }
  w.put(static_cast<std::uint16_t>(std::min<std::size_t>(f.open_repeat_leads.size(), 0xFFFF)));
  for (std::size_t i = 0; i < f.open_repeat_leads.size() && i < 0xFFFF; ++i)
    w.put(static_cast<std::int64_t>(f.open_repeat_leads[i]));
}

inline bool get_entity(SnapshotReader& r, EntityFacts& f) {
  std::uint8_t type = 0, flags = 0, status = 0, stage = 0;
  std::int64_t id = 0, v = 0;
  if (!r.get(type) || type > 3 || !r.get(id) || !r.get(flags)) return false;
  f.ref = EntityRef{static_cast<EntityType>(type), id};
  f.exists = (flags & 1) != 0;
  f.repeat = (flags & 2) != 0;
  if ((flags & 4) != 0) {
    if (!r.get(v)) return false;
    f.responsible = v;
  }
  if ((flags & 8) != 0) {
    if (!r.get(v)) return false;
    f.contact = v;
  }
  if ((flags & 16) != 0) {
    if (!r.get(v)) return false;
    f.company = v;
  }
  if ((flags & 32) != 0) {
    if (!r.get(v)) return false;
    f.modified = Timestamp(Seconds(v));
  }
  if (!r.get(status) || status > 2 || !r.get(stage) || stage > 2) return false;
  f.lead_status = static_cast<LeadStatus>(status);
  f.deal_stage = static_cast<DealStage>(stage);
  std::uint16_t n = 0;
  if (!r.get(n)) return false;
  f.phones.resize(n);
  for (auto& k : f.phones) {
    std::uint8_t kind = 0, form = 0;
    if (!r.get(k.key) || !r.get(kind) || kind > 2 || !r.get(form) || form > 3) return false;
    k.kind = static_cast<KeyKind>(kind);
    k.form = static_cast<WrittenForm>(form);
  }
  if (!r.get(n)) return false;
  f.open_deals.resize(n);
  for (auto& d : f.open_deals) {
    std::uint8_t has_time = 0;
    if (!r.get(d.id) || !r.get(has_time)) return false;
    if (has_time != 0) {
      if (!r.get(v)) return false;
      d.modified = Timestamp(Seconds(v));
    }
  }
  if (!r.get(n)) return false;
  f.open_repeat_leads.resize(n);
  for (auto& l : f.open_repeat_leads)
    if (!r.get(l)) return false;
  return true;
}

}  // namespace detail

TELCRM_INLINE Result<IndexSnapshotInfo> save_index_snapshot(CrmIndex& index,
                                                            const std::string& path,
                                                            std::uint64_t cursor) {
  const std::vector<EntityFacts> facts = index.export_facts();
  std::string data;
  data.reserve(64 + facts.size() * 48);
  detail::SnapshotWriter w(data);
  w.put_bytes(std::string_view(detail::index_snapshot_magic, 8));
  w.put(index_snapshot_version);
  w.put(static_cast<std::uint32_t>(index.options().suffix_digits));
  const std::string_view region = index.options().default_region.code();
  w.put(static_cast<std::uint8_t>(region.size()));
  w.put_bytes(region);
  w.put(cursor);
  w.put(static_cast<std::uint64_t>(facts.size()));
  for (const auto& f : facts) detail::put_entity(w, f);
  detail::SnapshotSum sum;
  sum.add(data.data(), data.size());
  w.put(sum.value());

  const std::string temporary = path + ".tmp";
  std::FILE* out = std::fopen(temporary.c_str(), "wb");
  if (out == nullptr)
    return fail(Errc::io_error, temporary + ": " + std::generic_category().message(errno));
  const bool written = std::fwrite(data.data(), 1, data.size(), out) == data.size() &&
                       std::fflush(out) == 0 && ::fsync(::fileno(out)) == 0;
  const int saved_errno = errno;
  const bool closed = std::fclose(out) == 0;
  if (!written || !closed || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = std::generic_category().message(written ? errno : saved_errno);
    std::remove(temporary.c_str());
    return fail(Errc::io_error, path + ": " + why);
  }
  return IndexSnapshotInfo{cursor, facts.size(), data.size()};
}

TELCRM_INLINE Result<IndexSnapshotInfo> load_index_snapshot(CrmIndex& index,
                                                            const std::string& path) {
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (in == nullptr)
    return fail(errno == ENOENT ? Errc::not_found : Errc::io_error,
                path + ": " + std::generic_category().message(errno));
  std::string data;
  char buffer[1 << 16];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, in)) > 0;) data.append(buffer, n);
  const bool failed = std::ferror(in) != 0;
  std::fclose(in);
  if (failed) return fail(Errc::io_error, path + ": cannot be read");
  auto corrupt = [&](std::string_view why) {
    return fail(Errc::storage_corrupt, path + ": not a usable index snapshot: " + std::string(why));
  };
  if (data.size() < 8 + 8 || data.compare(0, 8, detail::index_snapshot_magic, 8) != 0)
    return corrupt("no snapshot header");
  detail::SnapshotSum sum;
  sum.add(data.data(), data.size() - 8);
  std::uint64_t stored = 0;
  std::memcpy(&stored, data.data() + data.size() - 8, 8);
  detail::SnapshotReader r(data.data() + 8, data.size() - 16);
  std::uint32_t version = 0;
  if (!r.get(version)) return corrupt("truncated");
  if (version != index_snapshot_version)
    return fail(Errc::unsupported_version, path + ": index snapshot version " +
                                               std::to_string(version) + ", this build reads " +
                                               std::to_string(index_snapshot_version));
  if (sum.value() != stored) return corrupt("wrong checksum");
  std::uint32_t suffix = 0;
  std::uint8_t region_size = 0;
  std::string_view region;
  std::uint64_t cursor = 0, count = 0;
  if (!r.get(suffix) || !r.get(region_size) || !r.get_bytes(region_size, region) ||
      !r.get(cursor) || !r.get(count))
    return corrupt("truncated");
  if (count > data.size() / 16) return corrupt("more entities than bytes");
  if (static_cast<int>(suffix) != index.options().suffix_digits ||
      region != index.options().default_region.code())
    return fail(Errc::conflict, path + ": made for other key options (region " +
                                    std::string(region) + ", suffix digits " +
                                    std::to_string(suffix) + "): stale");
  std::vector<EntityFacts> facts(static_cast<std::size_t>(count));
  for (auto& f : facts)
    if (!detail::get_entity(r, f)) return corrupt("a damaged entity");
  if (!r.at_end()) return corrupt("trailing bytes");
  index.rebuild(std::move(facts));
  return IndexSnapshotInfo{cursor, static_cast<std::size_t>(count), data.size()};
}

TELCRM_END_NAMESPACE
