// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the commands read and where they write: whole files in, and whether an output stream
// is a terminal (colours, progress bars).

#include <cstdio>
#include <optional>
#include <string>

namespace telcrm::cli {

/// True when `stream` is a terminal.
bool is_terminal(std::FILE* stream);

/// Reads a whole file; nullopt with `error` set ("PATH: cannot open (reason)") when it cannot.
std::optional<std::string> read_file(const std::string& path, std::string& error);

}  // namespace telcrm::cli
