# SPDX-License-Identifier: Apache-2.0
# Chooses the Result<T> backend (TELCRM_RESULT_BACKEND):
#   auto  tl::expected when the tl-expected CMake package is found, else telcrm's own (default)
#   tl    tl::expected, required
#   own   telcrm's own expected
#   std   C++23 std::expected: only on request, because it makes every consumer C++23
# The language level never chooses: a compiler that has std::expected keeps consumers at C++20.
include(CheckCXXSourceCompiles)

set(TELCRM_RESULT_BACKEND "auto" CACHE STRING "Result<T> backend: auto, tl, own or std (C++23)")
set_property(CACHE TELCRM_RESULT_BACKEND PROPERTY STRINGS auto tl own std)

function(telcrm_select_result_backend)
  set(choice "${TELCRM_RESULT_BACKEND}")
  set(link "")
  set(feature cxx_std_20)
  if(choice STREQUAL "auto")
    find_package(tl-expected QUIET CONFIG)
    if(tl-expected_FOUND)
      set(choice tl)
    else()
      set(choice own)
    endif()
  endif()
  if(choice STREQUAL "tl")
    find_package(tl-expected REQUIRED CONFIG)
    set(id 1)
    set(name "tl::expected")
    set(link tl::expected)
  elseif(choice STREQUAL "std")
    set(CMAKE_REQUIRED_FLAGS "${CMAKE_CXX23_STANDARD_COMPILE_OPTION}")
    check_cxx_source_compiles([=[
      #include <expected>
      int main() { std::expected<int, int> e = 1; return *e - 1; }
    ]=] TELCRM_HAVE_STD_EXPECTED)
    if(NOT TELCRM_HAVE_STD_EXPECTED)
      message(FATAL_ERROR "TELCRM_RESULT_BACKEND=std needs a C++23 standard library with "
        "std::expected; ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION} has none")
    endif()
    set(id 2)
    set(name "std::expected")
    set(feature cxx_std_23)
  elseif(choice STREQUAL "own")
    set(id 3)
    set(name "telcrm::expected_shim::expected")
  else()
    message(FATAL_ERROR "TELCRM_RESULT_BACKEND must be auto, tl, own or std, not '${choice}'")
  endif()
  message(STATUS "telcrm: Result<T> uses ${name}")
  set(TELCRM_RESULT_BACKEND_ID ${id} PARENT_SCOPE)
  set(TELCRM_RESULT_BACKEND_NAME ${name} PARENT_SCOPE)
  set(TELCRM_RESULT_BACKEND_LINK ${link} PARENT_SCOPE)
  set(TELCRM_RESULT_BACKEND_CXX_FEATURE ${feature} PARENT_SCOPE)
endfunction()
