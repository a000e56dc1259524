# SPDX-License-Identifier: Apache-2.0
# Installs the build tree BUILD_DIR into STAGING, then moves it to MOVED: the prefix a
# pkg-config consumer then uses is not the one telcrm was installed to.
cmake_minimum_required(VERSION 3.21)
file(REMOVE_RECURSE "${STAGING}" "${MOVED}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${STAGING}"
  OUTPUT_QUIET RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} failed")
endif()
file(RENAME "${STAGING}" "${MOVED}")
if(DOC_FILE AND NOT EXISTS "${MOVED}/${DOC_FILE}")
  message(FATAL_ERROR "the installation has no ${DOC_FILE}")
endif()
