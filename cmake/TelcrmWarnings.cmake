# SPDX-License-Identifier: Apache-2.0
# Warnings, sanitizers and -fno-exceptions, applied privately to telcrm's own targets only.

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

# The library itself: warnings, sanitizers, and no exceptions (errors are values).
function(telcrm_library_flags target)
  telcrm_warnings(${target})
  telcrm_sanitizers(${target})
  if(NOT MSVC)
    target_compile_options(${target} PRIVATE -fno-exceptions)
  endif()
endfunction()

# Tests, examples and benchmarks: warnings and sanitizers, exceptions allowed.
function(telcrm_program_flags target)
  telcrm_warnings(${target})
  telcrm_sanitizers(${target})
endfunction()
