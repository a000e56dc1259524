// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the fuzz targets share: a property that does not hold is a finding, reported the way
// a sanitizer's is (a message and an abort), so libFuzzer keeps the input as a crash file.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

namespace telcrm_fuzz {

[[noreturn]] inline void finding(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "telcrm fuzz finding: %.*s\n%.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// The whole of a file the target reads at start (an office's settings and CRM).
inline std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits off the first line (without its '\n'); `rest` gets what follows.
inline std::string_view first_line(std::string_view text, std::string_view& rest) {
  const auto nl = text.find('\n');
  if (nl == std::string_view::npos) {
    rest = {};
    return text;
  }
  rest = text.substr(nl + 1);
  return text.substr(0, nl);
}

// One scratch directory per process (call once), in memory when the system has /dev/shm: the
// targets that write files would be slow on a disk. Removed at exit; its path is a plain
// array, so it outlives every other static the exit destroys.
inline char scratch_path[64];

inline void remove_scratch() {
  std::error_code ec;
  std::filesystem::remove_all(scratch_path, ec);
}

inline std::string scratch_directory(const char* target) {
  const char* base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::snprintf(scratch_path, sizeof scratch_path, "%s/telcrm-fuzz-%s.XXXXXX", base, target);
  if (::mkdtemp(scratch_path) == nullptr) finding("no scratch directory");
  std::atexit(remove_scratch);
  return std::string(scratch_path);
}

}  // namespace telcrm_fuzz
