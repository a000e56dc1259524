// SPDX-License-Identifier: Apache-2.0
// index_join_bench: how fast a node that joins has its index. In one run, on one SQLite
// database of N stored contacts (created once at PATH, reused after):
//   rebuild_one_thread_s  CrmIndex::rebuild(scan, 1): the whole rebuild on this thread
//   rebuild_parallel_s    CrmIndex::rebuild(scan, 0): pipelined on every core (the scan on
//                         one, filing on another, phone reading on the rest)
//   snapshot_save_s       save_index_snapshot() after the rebuild (file size printed)
//   snapshot_load_s       load_index_snapshot() into a fresh index, in a fresh process (this
//                         program with --load): what a node that joins does, its memory
//                         holding nothing else; the median of three (all in _runs_s)
//   snapshot_load_in_process_s  the same load in this process, after the two rebuilds (its
//                         allocator and the kernel's free huge pages in another state)
// with the CPU seconds of each (cpu_*) and the ratios; the three indexes are checked to hold
// the same facts. The snapshot (PATH.index) is removed after unless TELCRM_JOIN_KEEP_SNAPSHOT
// is set. The rebuild of an earlier version is measured by running that version's build of
// this program on the same database (bench/index_join_bench.sh does).
//
//   index_join_bench PATH [CONTACTS (default 1000000)] [THREADS (default 0: every core)]
//   index_join_bench --load SNAPSHOT [RUNS]   only loads a snapshot file into a fresh index
//                                            (what a node that joins does), RUNS times
#include <telcrm/crm/crm_index.hpp>
#include <telcrm/crm/index_snapshot.hpp>
#include <telcrm/sqlite/sqlite_crm_store.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

using namespace telcrm;

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU seconds of the whole process (every thread): what a step costs on a busy machine,
// where wall time also counts the other processes' turns.
double cpu_now() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Contacts with one or two phones written the ways people write them, a company per ten,
// a deal per five (so the open-deal lists are filled too).
CrmSnapshot generate(std::size_t contacts) {
  CrmSnapshot crm;
  crm.contacts.reserve(contacts);
  for (std::size_t i = 0; i < contacts; ++i) {
    Contact c;
    c.id = static_cast<EntityId>(i + 1);
    c.name = fmt::format("Contact {}", i);
    const std::size_t n = 1000000 + (i * 7919) % 8999999;
    switch (i % 4) {
      case 0: c.phones.push_back(fmt::format("+7 916 {:03} {:04}", n / 10000, n % 10000)); break;
      case 1:
        c.phones.push_back(
            fmt::format("8 (903) {:03}-{:02}-{:02}", n / 10000, n / 100 % 100, n % 100));
        break;
      case 2: c.phones.push_back(fmt::format("+49 30 {:07}", n)); break;
      default: c.phones.push_back(fmt::format("9{:09}", n * 10 + i % 10)); break;
    }
    if (i % 3 == 0) c.phones.push_back(fmt::format("+7 495 {:07}", (n * 13) % 10000000));
    c.responsible = static_cast<EmployeeId>(1 + i % 20);
    crm.contacts.push_back(std::move(c));
  }
  for (std::size_t i = 0; i < contacts / 10; ++i)
    crm.companies.push_back({static_cast<EntityId>(i + 1),
                             fmt::format("Company {}", i),
                             {fmt::format("+7 812 {:07}", i)},
                             {},
                             std::nullopt});
  for (std::size_t i = 0; i < contacts / 5; ++i) {
    Deal d;
    d.id = static_cast<EntityId>(i + 1);
    d.title = "Deal";
    d.contact = static_cast<EntityId>(1 + (i * 5) % contacts);
    crm.deals.push_back(d);
  }
  return crm;
}

bool same(CrmIndex& a, CrmIndex& b) {
  const auto sa = a.stats();
  const auto sb = b.stats();
  return sa.entities == sb.entities && sa.phones == sb.phones &&
         sa.unnormalised_phones == sb.unnormalised_phones && a.export_facts() == b.export_facts();
}

// Loads `file` into `index`: {wall seconds, CPU seconds}, or nothing (the error printed).
std::optional<std::pair<double, double>> timed_load(CrmIndex& index, const std::string& file) {
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_now();
  auto read = load_index_snapshot(index, file);
  const double wall = since(t0);
  const double cpu = cpu_now() - c0;
  if (!read) {
    fmt::print(stderr, "load: {}\n", read.error());
    return std::nullopt;
  }
  return std::pair(wall, cpu);
}

// Runs this program with --load FILE in a fresh process: {wall seconds, CPU seconds}, or
// nothing when it failed.
std::optional<std::pair<double, double>> load_in_fresh_process(const std::string& file) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string command = fmt::format("'{}' --load '{}' 1", self, file);
  std::FILE* child = ::popen(command.c_str(), "r");
  if (child == nullptr) return std::nullopt;
  double wall = -1, cpu = -1;
  char line[256];
  while (std::fgets(line, sizeof line, child) != nullptr) {
    std::sscanf(line, "snapshot_load_s %lf", &wall);
    std::sscanf(line, "cpu_snapshot_load_s %lf", &cpu);
  }
  if (::pclose(child) != 0 || wall < 0 || cpu < 0) return std::nullopt;
  return std::pair(wall, cpu);
}

// Loads `file` into a fresh index `runs` times: the ready-to-route time of a joining node,
// on its own (no other index in memory), for profiling a load.
int load_only(const std::string& file, int runs) {
  const IndexOptions options{*Region::from_code("RU"), 0};
  for (int run = 0; run < runs; ++run) {
    CrmIndex index(options);
    const auto load = timed_load(index, file);
    if (!load) return 1;
    fmt::print("snapshot_load_s {:.3f}\ncpu_snapshot_load_s {:.3f}\nentities {}\n", load->first,
               load->second, index.stats().entities);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string_view(argv[1]) == "--load")
    return load_only(argv[2], argc > 3 ? std::atoi(argv[3]) : 1);
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: index_join_bench PATH [CONTACTS] [THREADS] | --load SNAPSHOT [RUNS]\n");
    return 2;
  }
  const std::string path = argv[1];
  const std::size_t contacts = argc > 2 ? std::stoul(argv[2]) : 1000000;
  const unsigned threads = argc > 3 ? static_cast<unsigned>(std::stoul(argv[3])) : 0;
  const IndexOptions options{*Region::from_code("RU"), 0};

  SqliteOptions sqlite_options;
  sqlite_options.phone_keys = options;
  auto store = SqliteCrmStore::open(path, sqlite_options);
  if (!store) {
    fmt::print(stderr, "{}: {}\n", path, store.error());
    return 1;
  }
  if (!*(*store)->has_data()) {
    const auto t0 = std::chrono::steady_clock::now();
    if (auto ok = (*store)->import(generate(contacts)); !ok) {
      fmt::print(stderr, "import: {}\n", ok.error());
      return 1;
    }
    fmt::print("generated {} contacts into {} in {:.1f} s\n", contacts, path, since(t0));
  }

  CrmIndex one_thread(options);
  auto t0 = std::chrono::steady_clock::now();
  double c0 = cpu_now();
  const auto scan = [&](CrmVisitor& v) { return (*store)->scan(v); };
  if (!one_thread.rebuild(scan, 1)) return 1;
  const double one_s = since(t0);
  const double one_cpu = cpu_now() - c0;

  CrmIndex parallel(options);
  t0 = std::chrono::steady_clock::now();
  c0 = cpu_now();
  if (!parallel.rebuild(scan, threads)) return 1;
  const double parallel_s = since(t0);
  const double parallel_cpu = cpu_now() - c0;

  const std::string file = path + ".index";
  t0 = std::chrono::steady_clock::now();
  c0 = cpu_now();
  auto saved = save_index_snapshot(parallel, file, 1);
  const double save_s = since(t0);
  const double save_cpu = cpu_now() - c0;
  if (!saved) {
    fmt::print(stderr, "save: {}\n", saved.error());
    return 1;
  }
  // Three fresh processes, the median printed: on a virtual machine the first touch of
  // memory the host has taken back (as after this program's rebuilds freed gigabytes) costs
  // several times the load itself, now and then.
  std::vector<std::pair<double, double>> fresh_runs;
  for (int run = 0; run < 3; ++run) {
    const auto fresh = load_in_fresh_process(file);
    if (!fresh) {
      fmt::print(stderr, "load in a fresh process failed\n");
      return 1;
    }
    fresh_runs.push_back(*fresh);
  }
  std::sort(fresh_runs.begin(), fresh_runs.end());
  const auto [load_s, load_cpu] = fresh_runs[1];
  CrmIndex loaded(options);
  const auto in_process = timed_load(loaded, file);
  if (!in_process) return 1;
  const auto [in_process_s, in_process_cpu] = *in_process;
  // The floor of a load: filing facts already in memory (the tables a rebuild also builds).
  auto facts = parallel.export_facts();
  CrmIndex tables(options);
  c0 = cpu_now();
  tables.rebuild(std::move(facts));
  const double tables_cpu = cpu_now() - c0;
  const auto stats = one_thread.stats();
  fmt::print("entities {} phones {} (threads {}, cores {})\n", stats.entities, stats.phones,
             threads == 0 ? std::thread::hardware_concurrency() : threads,
             std::thread::hardware_concurrency());
  fmt::print(
      "rebuild_one_thread_s {:.3f}\nrebuild_parallel_s {:.3f}\nsnapshot_save_s {:.3f}\n"
      "snapshot_load_s {:.3f}\nsnapshot_load_runs_s {:.3f} {:.3f} {:.3f}\n"
      "snapshot_load_in_process_s {:.3f}\nsnapshot_bytes {}\n",
      one_s, parallel_s, save_s, load_s, fresh_runs[0].first, fresh_runs[1].first,
      fresh_runs[2].first, in_process_s, saved->bytes);
  fmt::print(
      "cpu_rebuild_one_thread_s {:.3f}\ncpu_rebuild_parallel_s {:.3f}\ncpu_snapshot_save_s {:.3f}\n"
      "cpu_snapshot_load_s {:.3f}\ncpu_snapshot_load_in_process_s {:.3f}\n",
      one_cpu, parallel_cpu, save_cpu, load_cpu, in_process_cpu);
  fmt::print(
      "ratio_rebuild_one_thread_over_load {:.2f}\nratio_cpu_rebuild_one_thread_over_load {:.2f}\n",
      one_s / load_s, one_cpu / load_cpu);
  fmt::print("cpu_file_facts_in_memory_s {:.3f}\n", tables_cpu);
  double load_avg[1] = {0};
  if (getloadavg(load_avg, 1) == 1) fmt::print("load_average_1min {:.2f}\n", load_avg[0]);
  const bool equal = same(one_thread, parallel) && same(one_thread, loaded);
  fmt::print("indexes_equal {}\n", equal ? "yes" : "NO");
  // Kept on request, for `--load` runs of a fresh process.
  if (std::getenv("TELCRM_JOIN_KEEP_SNAPSHOT") == nullptr) std::filesystem::remove(file);
  return equal ? 0 : 1;
}
