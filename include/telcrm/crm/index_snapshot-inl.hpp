// SPDX-License-Identifier: Apache-2.0
#pragma once
// Index snapshot files, format version 3: the index's own flat tables, fixed-width, so that a
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
//   u64 checksum: of the header's bytes followed by each of the seven sections' own sums
//   (so that a load sums the sections on several threads)
// Versions 1 (one variable-length entry per entity, tables rebuilt at load) and 2 (the same
// sections under one running sum) are refused as other versions: the caller rebuilds and
// writes version 3.

#include <telcrm/crm/index_snapshot.hpp>
#include <telcrm/detail/bulk_memory.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

TELCRM_BEGIN_NAMESPACE

namespace detail {

inline constexpr char index_snapshot_magic[8] = {'T', 'C', 'R', 'M', 'I', 'D', 'X', '\n'};

// Writes through a buffer, summing what it writes: the header's bytes go into the file's
// sum as they are, each section (ended by end_section()) as the 8 bytes of its own sum, so
// that a load can sum the sections on several threads.
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
  void end_header() {
    sum_buffered();
    file_sum_ = part_;
    part_ = SnapshotSum{};
  }
  void end_section() {
    sum_buffered();
    const std::uint64_t v = part_.value();
    file_sum_.add(reinterpret_cast<const char*>(&v), sizeof v);
    part_ = SnapshotSum{};
  }
  // Flushes, then writes the file's checksum. False when a write failed.
  bool finish() {
    flush();
    const std::uint64_t sum = file_sum_.value();
    ok_ = ok_ && std::fwrite(&sum, 1, sizeof sum, out_) == sizeof sum;
    bytes_ += sizeof sum;
    return ok_;
  }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

 private:
  void sum_buffered() {
    part_.add(buffer_.data() + summed_, used_ - summed_);
    summed_ = used_;
  }
  void flush() {
    sum_buffered();
    ok_ = ok_ && std::fwrite(buffer_.data(), 1, used_, out_) == used_;
    bytes_ += used_;
    used_ = 0;
    summed_ = 0;
  }
  std::FILE* out_;
  std::vector<char> buffer_;
  std::size_t used_ = 0;
  std::size_t summed_ = 0;  // buffer_[0, summed_) is in part_
  std::uint64_t bytes_ = 0;
  SnapshotSum part_;      // the header, or the section being written
  SnapshotSum file_sum_;  // the header, then each section's sum
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
  [[nodiscard]] const char* position() const { return p_; }

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

// A file opened for reading, closed when it goes.
class SnapshotFile {
 public:
  SnapshotFile() = default;
  SnapshotFile(const SnapshotFile&) = delete;
  SnapshotFile& operator=(const SnapshotFile&) = delete;
  ~SnapshotFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  // 0, or the errno of what failed.
  int open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return errno;
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return errno;
    size_ = static_cast<std::uint64_t>(st.st_size);
    return 0;
  }
  [[nodiscard]] std::uint64_t size() const { return size_; }
  // Reads `n` bytes at `offset` into `out`: 0, or the errno of what failed (EIO for a file
  // that ends early). Safe on several threads at once.
  int read_at(char* out, std::size_t n, std::uint64_t offset) const {
    while (n > 0) {
      const ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return errno;
      if (got == 0) return EIO;
      out += got;
      n -= static_cast<std::size_t>(got);
      offset += static_cast<std::uint64_t>(got);
    }
    return 0;
  }

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

inline constexpr std::size_t snapshot_record_bytes = 50;
inline constexpr std::size_t snapshot_key_bytes = 10;
inline constexpr std::size_t snapshot_deal_bytes = 16;
TELCRM_INLINE Result<SnapshotLayout> read_snapshot_layout(const char* data, std::size_t n,
                                                          std::uint64_t size) {
  auto corrupt = [](std::string_view why) {
    return fail(Errc::storage_corrupt, "not a usable index snapshot: " + std::string(why));
  };
  if (size < 8 + 4 + 8 || n < sizeof index_snapshot_magic ||
      std::memcmp(data, index_snapshot_magic, sizeof index_snapshot_magic) != 0)
    return corrupt("no snapshot header");
  // The header, as far as the bytes at hand and the file (less its checksum) go.
  SnapshotReader r(data + 8, static_cast<std::size_t>(std::min<std::uint64_t>(n, size - 8)) - 8);
  std::uint32_t version = 0;
  if (!r.get(version)) return corrupt("truncated");
  if (version != index_snapshot_version)
    return fail(Errc::unsupported_version, "index snapshot version " + std::to_string(version) +
                                               ", this build reads " +
                                               std::to_string(index_snapshot_version));
  SnapshotLayout l;
  std::uint8_t region_size = 0;
  const char* region = nullptr;
  if (!r.get(l.suffix_digits) || !r.get(region_size) || (region = r.take(region_size)) == nullptr ||
      !r.get(l.cursor))
    return corrupt("truncated");
  l.region = std::string(region, region_size);
  for (auto& c : l.counts)
    if (!r.get(c)) return corrupt("truncated");
  for (auto& t : l.tables)
    if (!r.get(t[0]) || !r.get(t[1])) return corrupt("truncated");
  l.header_bytes = static_cast<std::size_t>(r.position() - data);
  const std::uint64_t entries[snapshot_sections] = {l.counts[0],   l.counts[1],    l.counts[2],
                                                    l.counts[3],   l.tables[0][0], l.tables[1][0],
                                                    l.tables[2][0]};
  const std::size_t widths[snapshot_sections] = {
      snapshot_record_bytes,  snapshot_key_bytes,     snapshot_deal_bytes,   8,
      PhoneTable::slot_bytes, PhoneTable::slot_bytes, PhoneTable::slot_bytes};
  std::uint64_t at = l.header_bytes;
  for (std::size_t i = 0; i < snapshot_sections; ++i) {
    // No overflow: each count is first bounded by the bytes left.
    const std::uint64_t left = size - 8 - at;
    if (entries[i] > left / widths[i]) return corrupt("more entries than bytes");
    l.offset[i] = at;
    l.bytes[i] = static_cast<std::size_t>(entries[i]) * widths[i];
    at += l.bytes[i];
  }
  if (at != size - 8) return corrupt("sizes do not add up");
  if (l.counts[0] >= 0xFFFFFFFFu / 4 || l.counts[1] > 0xFFFFFFFFu || l.counts[2] > 0xFFFFFFFFu ||
      l.counts[3] > 0xFFFFFFFFu)
    return corrupt("too many entries");
  return l;
}

// The file's checksum from its header and its sections' own sums (see SnapshotSink).
TELCRM_INLINE std::uint64_t snapshot_checksum(
    const char* data, const SnapshotLayout& l,
    const std::uint64_t (&section_sums)[snapshot_sections]) {
  SnapshotSum sum;
  sum.add(data, l.header_bytes);
  for (const std::uint64_t v : section_sums) sum.add(reinterpret_cast<const char*>(&v), sizeof v);
  return sum.value();
}

TELCRM_INLINE std::uint64_t snapshot_checksum(const char* data, const SnapshotLayout& l) {
  std::uint64_t sums[snapshot_sections] = {};
  for (std::size_t i = 0; i < snapshot_sections; ++i) {
    SnapshotSum s;
    s.add(data + l.offset[i], l.bytes[i]);
    sums[i] = s.value();
  }
  return snapshot_checksum(data, l, sums);
}

// Runs task(order[0]), task(order[1]), … on up to `threads` threads, this one included; each
// thread takes the next task when it is done with one.
template <std::size_t N, class Task>
void run_on_threads(const std::size_t (&order)[N], unsigned threads, Task&& task) {
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next.fetch_add(1); i < N; i = next.fetch_add(1)) task(order[i]);
  };
  std::vector<std::thread> helpers;
  for (unsigned k = 1; k < std::min<std::size_t>(threads, N); ++k) helpers.emplace_back(work);
  work();
  for (auto& h : helpers) h.join();
}

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
    out.end_header();
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
    out.end_section();
    // The lists in record order, so that a load finds each record's by adding up counts.
    for (const auto& r : base.records)
      for (std::uint32_t i = r.phones_begin; i < r.phones_begin + r.phones_count; ++i) {
        out.put(base.phone_keys[i].key);
        out.put(static_cast<std::uint8_t>(base.phone_keys[i].kind));
        out.put(static_cast<std::uint8_t>(base.phone_keys[i].form));
      }
    out.end_section();
    for (const auto& r : base.records)
      for (std::uint32_t i = r.deals_begin; i < r.deals_begin + r.deals_count; ++i) {
        const DealFact& d = base.deals[i];
        out.put(static_cast<std::int64_t>(d.id));
        out.put(d.modified ? static_cast<std::int64_t>(d.modified->time_since_epoch().count())
                           : Base::none);
      }
    out.end_section();
    for (const auto& r : base.records)
      for (std::uint32_t i = r.repeats_begin; i < r.repeats_begin + r.repeats_count; ++i)
        out.put(static_cast<std::int64_t>(base.repeats[i]));
    out.end_section();
    for (const detail::PhoneTable* t : {&base.postings, &base.raw_postings, &base.refs}) {
      out.put_bytes(t->slot_data(), t->slot_count() * detail::PhoneTable::slot_bytes);
      out.end_section();
    }
  }

  // Reads section `i` of `file` in blocks of whole entries of `width` bytes, small enough to
  // stay in cache, summing each into `sum` and handing it to `each(block, bytes)`. 0, the
  // errno of a failed read, or -1 as soon as `each` refuses a block.
  template <class Each>
  static int each_block(const SnapshotFile& file, const SnapshotLayout& l, std::size_t i,
                        std::size_t width, SnapshotSum& sum, Each&& each) {
    constexpr std::size_t block = 1 << 18;
    const std::size_t step = block / width * width;
    std::vector<char> buffer(std::min(step, l.bytes[i]));
    for (std::size_t done = 0; done < l.bytes[i]; done += step) {
      const std::size_t bytes = std::min(step, l.bytes[i] - done);
      if (const int e = file.read_at(buffer.data(), bytes, l.offset[i] + done); e != 0) return e;
      sum.add(buffer.data(), bytes);
      if (!each(buffer.data(), bytes)) return -1;
    }
    return 0;
  }

  // The base `file` (of layout `l`) holds, or a reason it is unusable; `sums` receives each
  // section's sum (the caller checks the file's checksum), `unnormalised` the raw-digit keys
  // it files. The sections are read on up to `threads` threads, a block at a time into a
  // buffer that stays in cache, each block summed and decoded there: read straight from the
  // page cache instead of through a mapping of it, whose 4 KiB pages made summing a
  // gigabyte cost ten times as much as the copy.
  static Result<std::shared_ptr<Base>> read(const SnapshotFile& file, const SnapshotLayout& l,
                                            unsigned threads,
                                            std::uint64_t (&sums)[snapshot_sections],
                                            std::size_t& unnormalised) {
    auto base = std::make_shared<Base>();
    int outcome[snapshot_sections] = {};  // each written by its own section's task
    std::uint64_t listed[3] = {};  // the phone keys, open deals and repeat leads records list
    std::vector<std::uint32_t> phones_of_nothing;  // records that do not exist but list keys
    std::size_t raw_keys = 0, indexed_keys = 0;
    const auto records = static_cast<std::size_t>(l.counts[0]);
    auto posting_ok = [records](std::uint32_t posting) { return (posting >> 2) < records; };
    auto ordinal_ok = [records](std::uint32_t ordinal) { return ordinal < records; };

    auto read_records = [&](SnapshotSum& sum) {
      reserve_bulk(base->records, records);
      std::uint64_t phones = 0, deals = 0, repeats = 0;
      const int read =
          each_block(file, l, 0, snapshot_record_bytes, sum, [&](const char* p, std::size_t n) {
            for (const char* end = p + n; p < end; p += snapshot_record_bytes) {
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
              if (phones > l.counts[1] || deals > l.counts[2] || repeats > l.counts[3])
                return false;
              if (!rec.exists && rec.phones_count > 0)
                phones_of_nothing.push_back(static_cast<std::uint32_t>(base->records.size()));
              base->ids.note(rec.ref);
              base->records.push_back(rec);
            }
            return true;
          });
      listed[0] = phones;
      listed[1] = deals;
      listed[2] = repeats;
      return read;
    };
    auto read_keys = [&](SnapshotSum& sum) {
      reserve_bulk(base->phone_keys, static_cast<std::size_t>(l.counts[1]));
      return each_block(file, l, 1, snapshot_key_bytes, sum, [&](const char* p, std::size_t n) {
        for (const char* end = p + n; p < end; p += snapshot_key_bytes) {
          const auto kind = static_cast<std::uint8_t>(p[8]);
          const auto form = static_cast<std::uint8_t>(p[9]);
          if (kind > 2 || form > 3) return false;
          const PhoneKey k{load_at<std::uint64_t>(p), static_cast<KeyKind>(kind),
                           static_cast<WrittenForm>(form)};
          raw_keys += k.kind == KeyKind::raw ? 1 : 0;
          indexed_keys += k.kind != KeyKind::suffix ? 1 : 0;
          base->phone_keys.push_back(k);
        }
        return true;
      });
    };
    auto read_deals = [&](SnapshotSum& sum) {
      reserve_bulk(base->deals, static_cast<std::size_t>(l.counts[2]));
      return each_block(file, l, 2, snapshot_deal_bytes, sum, [&](const char* p, std::size_t n) {
        for (const char* end = p + n; p < end; p += snapshot_deal_bytes)
          base->deals.push_back(DealFact{load_at<std::int64_t>(p),
                                         from_seconds(load_at<std::int64_t>(p + 8), Base::none)});
        return true;
      });
    };
    auto read_repeats = [&](SnapshotSum& sum) {
      reserve_bulk(base->repeats, static_cast<std::size_t>(l.counts[3]));
      return each_block(file, l, 3, 8, sum, [&](const char* p, std::size_t n) {
        for (const char* end = p + n; p < end; p += 8)
          base->repeats.push_back(load_at<std::int64_t>(p));
        return true;
      });
    };
    // The tables as they were, each slot checked so that no lookup can leave its array or
    // name a record that is not there.
    auto read_table = [&](std::size_t t, SnapshotSum& sum) {
      PhoneTable& table = t == 0 ? base->postings : t == 1 ? base->raw_postings : base->refs;
      const std::size_t section = 4 + t;
      const auto slots = static_cast<std::size_t>(l.tables[t][0]);
      if (!table.begin_slot_bytes(slots, static_cast<std::size_t>(l.tables[t][1]))) return -1;
      return each_block(file, l, section, PhoneTable::slot_bytes, sum,
                        [&](const char* p, std::size_t n) {
                          n /= PhoneTable::slot_bytes;
                          return t == 2 ? table.add_slot_bytes(p, n, ordinal_ok)
                                        : table.add_slot_bytes(p, n, posting_ok);
                        });
    };

    // The largest sections first, so that on two threads the records (the largest by far)
    // take one and everything else the other.
    constexpr std::size_t order[snapshot_sections] = {0, 4, 1, 6, 2, 5, 3};
    run_on_threads(order, threads, [&](std::size_t section) {
      SnapshotSum sum;
      switch (section) {
        case 0: outcome[0] = read_records(sum); break;
        case 1: outcome[1] = read_keys(sum); break;
        case 2: outcome[2] = read_deals(sum); break;
        case 3: outcome[3] = read_repeats(sum); break;
        default: outcome[section] = read_table(section - 4, sum); break;
      }
      sums[section] = sum.value();
    });
    constexpr const char* damaged[snapshot_sections] = {
        "a damaged record", "a damaged phone key", "", "", "a damaged table",
        "a damaged table",  "a damaged table"};
    for (std::size_t i = 0; i < snapshot_sections; ++i) {
      if (outcome[i] > 0) return fail(Errc::io_error, std::generic_category().message(outcome[i]));
      if (outcome[i] < 0)
        return fail(Errc::storage_corrupt,
                    "not a usable index snapshot: " + std::string(damaged[i]));
    }
    if (listed[0] != l.counts[1] || listed[1] != l.counts[2] || listed[2] != l.counts[3])
      return fail(Errc::storage_corrupt, "not a usable index snapshot: lists shorter than stored");

    // What the base counts is derived, not stored: the phones of records that exist.
    base->phone_count = indexed_keys;
    for (const std::uint32_t ordinal : phones_of_nothing) {
      const auto& rec = base->records[ordinal];
      for (std::uint32_t i = rec.phones_begin; i < rec.phones_begin + rec.phones_count; ++i)
        if (base->phone_keys[i].kind != KeyKind::suffix) --base->phone_count;
    }
    unnormalised = raw_keys;
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
                                                            const std::string& path,
                                                            unsigned threads) {
  detail::SnapshotFile file;
  auto io_error = [&path](int e) {
    return fail(e == ENOENT ? Errc::not_found : Errc::io_error,
                path + ": " + std::generic_category().message(e));
  };
  if (const int e = file.open(path); e != 0) return io_error(e);
  // The header (at most 8 + 4 + 4 + 1 + 255 + 8 + 4 × 8 + 3 × 16 bytes) and the checksum.
  char header[512];
  const auto head = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof header, file.size()));
  if (const int e = file.read_at(header, head, 0); e != 0) return io_error(e);
  auto layout = detail::read_snapshot_layout(header, head, file.size());
  if (!layout) return fail(layout.error().code(), path + ": " + layout.error().message());
  std::uint64_t stored_sum = 0;
  if (const int e = file.read_at(reinterpret_cast<char*>(&stored_sum), sizeof stored_sum,
                                 file.size() - sizeof stored_sum);
      e != 0)
    return io_error(e);
  // Every core unless told; a small file on this thread alone (a thread costs more than it
  // would save).
  if (threads == 0)
    threads = file.size() < (std::uint64_t{32} << 20)
                  ? 1
                  : std::max(1u, std::thread::hardware_concurrency());
  std::uint64_t sums[detail::snapshot_sections] = {};
  std::size_t unnormalised = 0;
  auto base = detail::IndexFileAccess::read(file, *layout, threads, sums, unnormalised);
  if (!base) return fail(base.error().code(), path + ": " + base.error().message());
  if (detail::snapshot_checksum(header, *layout, sums) != stored_sum)
    return fail(Errc::storage_corrupt, path + ": not a usable index snapshot: wrong checksum");
  // Only a file known to be intact can say it is stale (not merely damaged).
  if (static_cast<int>(layout->suffix_digits) != index.options().suffix_digits ||
      layout->region != index.options().default_region.code())
    return fail(Errc::conflict, path + ": made for other key options (region " + layout->region +
                                    ", suffix digits " + std::to_string(layout->suffix_digits) +
                                    "): stale");
  const std::size_t entities = (*base)->records.size();
  detail::IndexFileAccess::install(index, std::move(*base), unnormalised);
  return IndexSnapshotInfo{layout->cursor, entities, static_cast<std::size_t>(file.size())};
}

TELCRM_END_NAMESPACE
