// SPDX-License-Identifier: Apache-2.0
#pragma once
// Index snapshot files, format version 2: the index's own flat tables, fixed-width, so that a
// load is one mapped read, a checksum and a bounds-checked copy — no phone is read again and
// no table is rebuilt. Integers little-endian (as written by this machine's integers):
//   header  "TCRMIDX\n" | u32 version | u32 suffix digits | u8 n + region code | u64 cursor |
//           u64 records | u64 phone keys | u64 open deals | u64 repeat leads |
//           3 × (u64 slots, u64 home slots): the phone, raw-digit and entity tables
//   records 50 bytes each: u8 type, u8 flags (1 exists, 2 repeat), u8 lead status,
//           u8 deal stage, i64 id, responsible, contact, company, modified (INT64_MIN: none),
//           u16 phone keys, u16 open deals, u16 repeat leads (its lists, in record order)
//   phone keys 10 bytes: u64 key, u8 kind, u8 form
//   open deals 16 bytes: i64 id, i64 modified (INT64_MIN: none); repeat leads 8 bytes: i64 id
//   tables  12 bytes a slot, as PhoneTable holds them
//   u64 checksum of everything before it
// Version 1 (one variable-length entry per entity, tables rebuilt at load) is refused as
// another version: the caller rebuilds and writes version 2.

#include <telcrm/crm/index_snapshot.hpp>
#include <telcrm/detail/bulk_memory.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <system_error>
#include <vector>

TELCRM_BEGIN_NAMESPACE

namespace detail {

inline constexpr char index_snapshot_magic[8] = {'T', 'C', 'R', 'M', 'I', 'D', 'X', '\n'};

// Writes through a buffer, summing what it writes.
class SnapshotSink {
 public:
  explicit SnapshotSink(std::FILE* out) : out_(out), buffer_(1 << 20) {}
  void put_bytes(const void* p, std::size_t n) {
    const char* c = static_cast<const char*>(p);
    while (n > 0) {
      if (used_ == buffer_.size()) flush();
      const std::size_t take = std::min(n, buffer_.size() - used_);
      std::memcpy(buffer_.data() + used_, c, take);
      used_ += take;
      c += take;
      n -= take;
    }
  }
  template <class T>
  void put(T v) {
    put_bytes(&v, sizeof v);
  }
  // Flushes, then writes the checksum of everything so far. False when a write failed.
  bool finish() {
    flush();
    const std::uint64_t sum = sum_.value();
    ok_ = ok_ && std::fwrite(&sum, 1, sizeof sum, out_) == sizeof sum;
    bytes_ += sizeof sum;
    return ok_;
  }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

 private:
  void flush() {
    sum_.add(buffer_.data(), used_);
    ok_ = ok_ && std::fwrite(buffer_.data(), 1, used_, out_) == used_;
    bytes_ += used_;
    used_ = 0;
  }
  std::FILE* out_;
  std::vector<char> buffer_;
  std::size_t used_ = 0;
  std::uint64_t bytes_ = 0;
  SnapshotSum sum_;
  bool ok_ = true;
};

// Reads fixed-width values from a bounded range.
class SnapshotReader {
 public:
  SnapshotReader(const char* p, std::size_t n) : p_(p), end_(p + n) {}
  template <class T>
  bool get(T& v) {
    if (left() < sizeof(T)) return false;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return true;
  }
  // `n` bytes, or null when fewer are left.
  const char* take(std::size_t n) {
    if (left() < n) return nullptr;
    const char* at = p_;
    p_ += n;
    return at;
  }
  [[nodiscard]] std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }

 private:
  const char* p_;
  const char* end_;
};

template <class T>
T load_at(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// A read-only mapping of a whole file.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  // 0, or the errno of what failed. An empty file maps to nothing (size 0).
  int open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int e = errno;
      ::close(fd);
      return e;
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
      flags |= MAP_POPULATE;  // one pass over the page cache instead of a fault per page
#endif
      void* p = ::mmap(nullptr, size_, PROT_READ, flags, fd, 0);
      if (p == MAP_FAILED) {
        const int e = errno;
        ::close(fd);
        size_ = 0;
        return e;
      }
      data_ = p;
    }
    ::close(fd);
    return 0;
  }
  [[nodiscard]] const char* data() const {
    return static_cast<const char*>(data_);
  }
  [[nodiscard]] std::size_t size() const {
    return size_;
  }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

inline constexpr std::size_t snapshot_record_bytes = 50;
inline constexpr std::size_t snapshot_key_bytes = 10;
inline constexpr std::size_t snapshot_deal_bytes = 16;

// CrmIndex's side of index snapshot files (a friend: it reads and installs the base).
struct IndexFileAccess {
  using Base = CrmIndex::Base;

  // The base with every pending update folded in; immutable, so it is written unlocked.
  static std::shared_ptr<const Base> folded(CrmIndex& index) {
    std::lock_guard lock(index.write_mutex_);
    if (index.current_->delta->facts.size() > 0 || index.current_->delta->postings.size() > 0)
      index.fold_locked();
    return index.current_->base;
  }

  static void write(SnapshotSink& out, const CrmIndex& index, const Base& base,
                    std::uint64_t cursor) {
    out.put_bytes(index_snapshot_magic, sizeof index_snapshot_magic);
    out.put(index_snapshot_version);
    out.put(static_cast<std::uint32_t>(index.options().suffix_digits));
    const std::string_view region = index.options().default_region.code();
    out.put(static_cast<std::uint8_t>(region.size()));
    out.put_bytes(region.data(), region.size());
    out.put(cursor);
    std::uint64_t phones = 0, deals = 0, repeats = 0;
    for (const auto& r : base.records) {
      phones += r.phones_count;
      deals += r.deals_count;
      repeats += r.repeats_count;
    }
    out.put(static_cast<std::uint64_t>(base.records.size()));
    out.put(phones);
    out.put(deals);
    out.put(repeats);
    for (const detail::PhoneTable* t : {&base.postings, &base.raw_postings, &base.refs}) {
      out.put(static_cast<std::uint64_t>(t->slot_count()));
      out.put(static_cast<std::uint64_t>(t->home_count()));
    }
    for (const auto& r : base.records) {
      char b[snapshot_record_bytes];
      b[0] = static_cast<char>(r.ref.type);
      b[1] = static_cast<char>((r.exists ? 1 : 0) | (r.repeat ? 2 : 0));
      b[2] = static_cast<char>(r.lead_status);
      b[3] = static_cast<char>(r.deal_stage);
      const std::int64_t longs[5] = {r.ref.id, r.responsible, r.contact, r.company, r.modified};
      std::memcpy(b + 4, longs, sizeof longs);
      const std::uint16_t counts[3] = {r.phones_count, r.deals_count, r.repeats_count};
      std::memcpy(b + 44, counts, sizeof counts);
      out.put_bytes(b, sizeof b);
    }
    // The lists in record order, so that a load finds each record's by adding up counts.
    for (const auto& r : base.records)
      for (std::uint32_t i = r.phones_begin; i < r.phones_begin + r.phones_count; ++i) {
        out.put(base.phone_keys[i].key);
        out.put(static_cast<std::uint8_t>(base.phone_keys[i].kind));
        out.put(static_cast<std::uint8_t>(base.phone_keys[i].form));
      }
    for (const auto& r : base.records)
      for (std::uint32_t i = r.deals_begin; i < r.deals_begin + r.deals_count; ++i) {
        const DealFact& d = base.deals[i];
        out.put(static_cast<std::int64_t>(d.id));
        out.put(d.modified ? static_cast<std::int64_t>(d.modified->time_since_epoch().count())
                           : Base::none);
      }
    for (const auto& r : base.records)
      for (std::uint32_t i = r.repeats_begin; i < r.repeats_begin + r.repeats_count; ++i)
        out.put(static_cast<std::int64_t>(base.repeats[i]));
    for (const detail::PhoneTable* t : {&base.postings, &base.raw_postings, &base.refs})
      out.put_bytes(t->slot_data(), t->slot_count() * detail::PhoneTable::slot_bytes);
  }

  // The base a file holds (after its header), or a reason it is unusable. `unnormalised`
  // receives the raw-digit keys it files.
  // The sections are summed as they are decoded (each block while it is in cache) rather
  // than in a pass of their own: `sum` holds the header's sum and receives the rest.
  static Result<std::shared_ptr<Base>> read(SnapshotReader& r, SnapshotSum& sum,
                                            std::size_t& unnormalised) {
    auto corrupt = [](std::string_view why) {
      return fail(Errc::storage_corrupt, "not a usable index snapshot: " + std::string(why));
    };
    std::uint64_t counts[4] = {};  // records, phone keys, open deals, repeat leads
    std::uint64_t tables[3][2] = {};
    for (auto& c : counts)
      if (!r.get(c)) return corrupt("truncated");
    for (auto& t : tables)
      if (!r.get(t[0]) || !r.get(t[1])) return corrupt("truncated");
    sum.add(reinterpret_cast<const char*>(counts), sizeof counts);
    sum.add(reinterpret_cast<const char*>(tables), sizeof tables);
    // Every count against the bytes left before anything is allocated (no overflow: each
    // is first bounded by the size).
    const std::size_t widths[4] = {snapshot_record_bytes, snapshot_key_bytes, snapshot_deal_bytes,
                                   8};
    std::size_t need = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      if (counts[i] > r.left() / widths[i]) return corrupt("more entries than bytes");
      need += static_cast<std::size_t>(counts[i]) * widths[i];
    }
    for (const auto& t : tables) {
      if (t[0] > r.left() / detail::PhoneTable::slot_bytes) return corrupt("more slots than bytes");
      need += static_cast<std::size_t>(t[0]) * detail::PhoneTable::slot_bytes;
    }
    if (need != r.left()) return corrupt("sizes do not add up");
    if (counts[0] >= 0xFFFFFFFFu / 4 || counts[1] > 0xFFFFFFFFu || counts[2] > 0xFFFFFFFFu ||
        counts[3] > 0xFFFFFFFFu)
      return corrupt("too many entries");

    auto base = std::make_shared<Base>();
    // Sums `n` bytes at `p` in blocks, calling `each(block, bytes)` after each is summed.
    auto summed = [&sum](const char* p, std::size_t n, std::size_t width, auto each) {
      constexpr std::size_t block = 1 << 16;
      const std::size_t step = block / width * width;
      for (std::size_t done = 0; done < n; done += step) {
        const std::size_t bytes = std::min(step, n - done);
        sum.add(p + done, bytes);
        if (!each(p + done, bytes)) return false;
      }
      return true;
    };
    reserve_bulk(base->records, static_cast<std::size_t>(counts[0]));
    std::uint64_t phones = 0, deals = 0, repeats = 0;
    const bool records_ok =
        summed(r.take(static_cast<std::size_t>(counts[0]) * snapshot_record_bytes),
               static_cast<std::size_t>(counts[0]) * snapshot_record_bytes, snapshot_record_bytes,
               [&](const char* p, std::size_t bytes) {
                 for (const char* end = p + bytes; p < end; p += snapshot_record_bytes) {
                   const auto type = static_cast<std::uint8_t>(p[0]);
                   const auto flags = static_cast<std::uint8_t>(p[1]);
                   const auto status = static_cast<std::uint8_t>(p[2]);
                   const auto stage = static_cast<std::uint8_t>(p[3]);
                   if (type > 3 || flags > 3 || status > 2 || stage > 2) return false;
                   Base::Record rec;
                   rec.ref = EntityRef{static_cast<EntityType>(type), load_at<std::int64_t>(p + 4)};
                   rec.exists = (flags & 1) != 0;
                   rec.repeat = (flags & 2) != 0;
                   rec.lead_status = static_cast<LeadStatus>(status);
                   rec.deal_stage = static_cast<DealStage>(stage);
                   rec.responsible = load_at<std::int64_t>(p + 12);
                   rec.contact = load_at<std::int64_t>(p + 20);
                   rec.company = load_at<std::int64_t>(p + 28);
                   rec.modified = load_at<std::int64_t>(p + 36);
                   rec.phones_count = load_at<std::uint16_t>(p + 44);
                   rec.deals_count = load_at<std::uint16_t>(p + 46);
                   rec.repeats_count = load_at<std::uint16_t>(p + 48);
                   rec.phones_begin = static_cast<std::uint32_t>(phones);
                   rec.deals_begin = static_cast<std::uint32_t>(deals);
                   rec.repeats_begin = static_cast<std::uint32_t>(repeats);
                   phones += rec.phones_count;
                   deals += rec.deals_count;
                   repeats += rec.repeats_count;
                   if (phones > counts[1] || deals > counts[2] || repeats > counts[3]) return false;
                   base->records.push_back(rec);
                 }
                 return true;
               });
    if (!records_ok) return corrupt("a damaged record");
    if (phones != counts[1] || deals != counts[2] || repeats != counts[3])
      return corrupt("lists shorter than stored");

    reserve_bulk(base->phone_keys, static_cast<std::size_t>(counts[1]));
    const bool keys_ok =
        summed(r.take(static_cast<std::size_t>(counts[1]) * snapshot_key_bytes),
               static_cast<std::size_t>(counts[1]) * snapshot_key_bytes, snapshot_key_bytes,
               [&](const char* p, std::size_t bytes) {
                 for (const char* end = p + bytes; p < end; p += snapshot_key_bytes) {
                   const auto kind = static_cast<std::uint8_t>(p[8]);
                   const auto form = static_cast<std::uint8_t>(p[9]);
                   if (kind > 2 || form > 3) return false;
                   base->phone_keys.push_back(PhoneKey{load_at<std::uint64_t>(p),
                                                       static_cast<KeyKind>(kind),
                                                       static_cast<WrittenForm>(form)});
                 }
                 return true;
               });
    if (!keys_ok) return corrupt("a damaged phone key");
    reserve_bulk(base->deals, static_cast<std::size_t>(counts[2]));
    summed(
        r.take(static_cast<std::size_t>(counts[2]) * snapshot_deal_bytes),
        static_cast<std::size_t>(counts[2]) * snapshot_deal_bytes, snapshot_deal_bytes,
        [&](const char* p, std::size_t bytes) {
          for (const char* end = p + bytes; p < end; p += snapshot_deal_bytes)
            base->deals.push_back(DealFact{load_at<std::int64_t>(p),
                                           from_seconds(load_at<std::int64_t>(p + 8), Base::none)});
          return true;
        });
    reserve_bulk(base->repeats, static_cast<std::size_t>(counts[3]));
    summed(r.take(static_cast<std::size_t>(counts[3]) * 8), static_cast<std::size_t>(counts[3]) * 8,
           8, [&](const char* p, std::size_t bytes) {
             for (const char* end = p + bytes; p < end; p += 8)
               base->repeats.push_back(load_at<std::int64_t>(p));
             return true;
           });

    // The tables as they were; each checked so that no lookup can leave its array or name a
    // record that is not there.
    const auto records = base->records.size();
    auto posting_ok = [&](std::uint32_t posting) { return (posting >> 2) < records; };
    auto ordinal_ok = [&](std::uint32_t ordinal) { return ordinal < records; };
    detail::PhoneTable* targets[3] = {&base->postings, &base->raw_postings, &base->refs};
    for (std::size_t t = 0; t < 3; ++t) {
      const auto slots = static_cast<std::size_t>(tables[t][0]);
      const char* p = r.take(slots * detail::PhoneTable::slot_bytes);
      summed(p, slots * detail::PhoneTable::slot_bytes, detail::PhoneTable::slot_bytes,
             [](const char*, std::size_t) { return true; });
      *targets[t] =
          detail::PhoneTable::from_slot_bytes(p, slots, static_cast<std::size_t>(tables[t][1]));
      const bool ok = t == 2 ? targets[t]->seal(ordinal_ok) : targets[t]->seal(posting_ok);
      if (!ok) return corrupt("a damaged table");
    }

    // What the base counts is derived, not stored.
    unnormalised = 0;
    for (const auto& rec : base->records) {
      base->ids.note(rec.ref);
      for (std::uint32_t i = rec.phones_begin; i < rec.phones_begin + rec.phones_count; ++i) {
        const PhoneKey& k = base->phone_keys[i];
        if (k.kind == KeyKind::raw) ++unnormalised;
        if (rec.exists && k.kind != KeyKind::suffix) ++base->phone_count;
      }
    }
    return base;
  }

  static void install(CrmIndex& index, std::shared_ptr<Base> base, std::size_t unnormalised) {
    index.install(std::move(base), unnormalised);
  }
};

}  // namespace detail

TELCRM_INLINE Result<IndexSnapshotInfo> save_index_snapshot(CrmIndex& index,
                                                            const std::string& path,
                                                            std::uint64_t cursor) {
  const auto base = detail::IndexFileAccess::folded(index);
  const std::string temporary = path + ".tmp";
  std::FILE* out = std::fopen(temporary.c_str(), "wb");
  if (out == nullptr)
    return fail(Errc::io_error, temporary + ": " + std::generic_category().message(errno));
  detail::SnapshotSink sink(out);
  detail::IndexFileAccess::write(sink, index, *base, cursor);
  const bool written = sink.finish() && std::fflush(out) == 0 && ::fsync(::fileno(out)) == 0;
  const int saved_errno = errno;
  const bool closed = std::fclose(out) == 0;
  if (!written || !closed || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = std::generic_category().message(written ? errno : saved_errno);
    std::remove(temporary.c_str());
    return fail(Errc::io_error, path + ": " + why);
  }
  return IndexSnapshotInfo{cursor, base->records.size(), static_cast<std::size_t>(sink.bytes())};
}

TELCRM_INLINE Result<IndexSnapshotInfo> load_index_snapshot(CrmIndex& index,
                                                            const std::string& path) {
  detail::MappedFile file;
  if (const int e = file.open(path); e != 0)
    return fail(e == ENOENT ? Errc::not_found : Errc::io_error,
                path + ": " + std::generic_category().message(e));
  auto corrupt = [&](std::string_view why) {
    return fail(Errc::storage_corrupt, path + ": not a usable index snapshot: " + std::string(why));
  };
  const char* data = file.data();
  const std::size_t size = file.size();
  if (size < 8 + 4 + 8 ||
      std::memcmp(data, detail::index_snapshot_magic, sizeof detail::index_snapshot_magic) != 0)
    return corrupt("no snapshot header");
  detail::SnapshotReader r(data + 8, size - 16);
  std::uint32_t version = 0;
  if (!r.get(version)) return corrupt("truncated");
  if (version != index_snapshot_version)
    return fail(Errc::unsupported_version, path + ": index snapshot version " +
                                               std::to_string(version) + ", this build reads " +
                                               std::to_string(index_snapshot_version));
  std::uint32_t suffix = 0;
  std::uint8_t region_size = 0;
  std::uint64_t cursor = 0;
  const char* region = nullptr;
  if (!r.get(suffix) || !r.get(region_size) || (region = r.take(region_size)) == nullptr ||
      !r.get(cursor))
    return corrupt("truncated");
  detail::SnapshotSum sum;
  sum.add(data, static_cast<std::size_t>(region + region_size + sizeof cursor - data));
  std::size_t unnormalised = 0;
  auto base = detail::IndexFileAccess::read(r, sum, unnormalised);
  if (!base) return fail(Errc::storage_corrupt, path + ": " + base.error().message());
  if (sum.value() != detail::load_at<std::uint64_t>(data + size - 8))
    return corrupt("wrong checksum");
  // Only a file known to be intact can say it is stale (not merely damaged).
  const std::string_view region_code(region, region_size);
  if (static_cast<int>(suffix) != index.options().suffix_digits ||
      region_code != index.options().default_region.code())
    return fail(Errc::conflict, path + ": made for other key options (region " +
                                    std::string(region_code) + ", suffix digits " +
                                    std::to_string(suffix) + "): stale");
  const std::size_t entities = (*base)->records.size();
  detail::IndexFileAccess::install(index, std::move(*base), unnormalised);
  return IndexSnapshotInfo{cursor, entities, size};
}

TELCRM_END_NAMESPACE
