# SPDX-License-Identifier: Apache-2.0
# Warnings, sanitizers and the exception switch, applied privately to telcrm's own targets only.

function(telcrm_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive-)
    if(TELCRM_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE /WX)
    endif()
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
      -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference
      -Wimplicit-fallthrough)
    if(TELCRM_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
    # GCC 12 at -O2/-O3 reports moves of a std::variant holding a vector (Result<WriteReceipt>
    # in CrmStore::apply_all) as "may be used uninitialized": a known false positive of its
    # inliner. Optimised GCC builds only; Debug builds and Clang keep the warning.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE
        $<$<NOT:$<CONFIG:Debug>>:-Wno-maybe-uninitialized>)
    endif()
  endif()
endfunction()

function(telcrm_sanitizers target)
  if(NOT TELCRM_SANITIZE OR MSVC)
    return()
  endif()
  string(REPLACE ";" "," list "${TELCRM_SANITIZE}")
  target_compile_options(${target} PRIVATE -fsanitize=${list} -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  target_link_options(${target} PRIVATE -fsanitize=${list})
endfunction()

# telcrm_exceptions(<target> ON|OFF): says outright whether a target's code may throw, rather
# than leaving it to the compiler's default.
function(telcrm_exceptions target enabled)
  if(MSVC)
    if(enabled)
      target_compile_options(${target} PRIVATE /EHsc)
    endif()
  elseif(enabled)
    target_compile_options(${target} PRIVATE -fexceptions)
  else()
    target_compile_options(${target} PRIVATE -fno-exceptions)
  endif()
endfunction()

# The library itself: warnings, sanitizers, and no exceptions (errors are values).
function(telcrm_library_flags target)
  telcrm_warnings(${target})
  telcrm_sanitizers(${target})
  telcrm_exceptions(${target} OFF)
endfunction()

# Tests, examples and benchmarks: warnings and sanitizers, the compiler's default for
# exceptions (a program that relies on them says so with telcrm_exceptions).
function(telcrm_program_flags target)
  telcrm_warnings(${target})
  telcrm_sanitizers(${target})
endfunction()
