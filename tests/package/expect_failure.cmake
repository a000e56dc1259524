# SPDX-License-Identifier: Apache-2.0
# Runs COMMAND (a list) and passes when it fails with output matching EXPECT.
cmake_minimum_required(VERSION 3.21)
execute_process(COMMAND ${COMMAND} OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE result)
if(result EQUAL 0)
  message(FATAL_ERROR "expected a failure, but it succeeded:\n${out}")
endif()
string(REGEX REPLACE "[ \t\r\n]+" " " flat "${out}")  # CMake wraps long messages
if(NOT flat MATCHES "${EXPECT}")
  message(FATAL_ERROR "failed, but without a message matching '${EXPECT}':\n${out}")
endif()
message(STATUS "failed as expected")
