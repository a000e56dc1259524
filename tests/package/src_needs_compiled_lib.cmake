# SPDX-License-Identifier: Apache-2.0
# Every source file of the compiled library, compiled without TELCRM_COMPILED_LIB, must stop
# at once with telcrm's #error (src/compiled_lib.hpp), not compile as a second, inline copy.
cmake_minimum_required(VERSION 3.21)
file(GLOB_RECURSE sources "${SOURCE_DIR}/src/*.cpp")
foreach(source IN LISTS sources)
  execute_process(COMMAND "${CXX}" -std=c++20 -fsyntax-only -Wfatal-errors
      -I "${SOURCE_DIR}/include" "${source}"
    OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE result)
  if(result EQUAL 0 OR NOT out MATCHES "src/ is the compiled library")
    message(FATAL_ERROR "${source} compiles without TELCRM_COMPILED_LIB:\n${out}")
  endif()
endforeach()
list(LENGTH sources n)
message(STATUS "${n} source files stop without TELCRM_COMPILED_LIB")
