# SPDX-License-Identifier: Apache-2.0
# Runs COMMAND (a ;-list) and checks its exit code (EXIT_CODE); then, as asked, that its stdout
# equals the file EXPECT, that it matches CONTAINS, and (ONE_LINE_ERROR) that it printed
# nothing on stdout and exactly one line on stderr, as a usage error must.
execute_process(COMMAND ${COMMAND} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL ${EXIT_CODE})
  message(FATAL_ERROR "exit code ${rc}, expected ${EXIT_CODE}\n${out}\n${err}")
endif()
if(EXPECT)
  file(READ ${EXPECT} expected)
  if(NOT out STREQUAL expected)
    message(FATAL_ERROR "output differs:\n--- got\n${out}--- expected\n${expected}")
  endif()
endif()
if(CONTAINS AND NOT out MATCHES "${CONTAINS}")
  message(FATAL_ERROR "output does not contain '${CONTAINS}':\n${out}")
endif()
if(ONE_LINE_ERROR)
  string(REGEX MATCHALL "\n" line_ends "${err}")
  list(LENGTH line_ends lines)
  if(NOT out STREQUAL "" OR NOT lines EQUAL 1 OR NOT err MATCHES "\n$")
    message(FATAL_ERROR "expected no output and one line on stderr, got:\n${out}\n--- stderr\n${err}")
  endif()
endif()
