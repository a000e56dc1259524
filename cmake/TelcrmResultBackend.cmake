# SPDX-License-Identifier: Apache-2.0
# Chooses the Result<T> backend: tl::expected when the tl-expected package is found, else
# C++23 std::expected when the compiler's library has it, else telcrm's own.
include(CheckCXXSourceCompiles)

function(telcrm_select_result_backend)
  find_package(tl-expected QUIET CONFIG)
  set(link "")
  set(feature cxx_std_20)
  if(tl-expected_FOUND)
    set(id 1)
    set(name "tl::expected")
    set(link tl::expected)
  else()
    set(CMAKE_REQUIRED_FLAGS "${CMAKE_CXX23_STANDARD_COMPILE_OPTION}")
    check_cxx_source_compiles([=[
      #include <expected>
      int main() { std::expected<int, int> e = 1; return *e - 1; }
    ]=] TELCRM_HAVE_STD_EXPECTED)
    if(TELCRM_HAVE_STD_EXPECTED)
      set(id 2)
      set(name "std::expected")
      set(feature cxx_std_23)
    else()
      set(id 3)
      set(name "telcrm::expected_shim::expected")
    endif()
  endif()
  message(STATUS "telcrm: Result<T> uses ${name}")
  set(TELCRM_RESULT_BACKEND_ID ${id} PARENT_SCOPE)
  set(TELCRM_RESULT_BACKEND_NAME ${name} PARENT_SCOPE)
  set(TELCRM_RESULT_BACKEND_LINK ${link} PARENT_SCOPE)
  set(TELCRM_RESULT_BACKEND_CXX_FEATURE ${feature} PARENT_SCOPE)
endfunction()
