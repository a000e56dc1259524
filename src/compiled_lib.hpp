// SPDX-License-Identifier: Apache-2.0
#pragma once
// Included first by every file of src/. These files are the compiled library: without
// TELCRM_COMPILED_LIB the public headers are header-only and pull in their -inl.hpp, so a
// src/ file compiled on its own would define everything a second time, inline, and a program
// would link with two copies of the library. The CMake target defines it for its sources.
#if !defined(TELCRM_COMPILED_LIB)
#error "telcrm: src/ is the compiled library: compile it with TELCRM_COMPILED_LIB (telcrm::telcrm)"
#endif
