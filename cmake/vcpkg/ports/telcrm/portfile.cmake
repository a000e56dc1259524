# SPDX-License-Identifier: Apache-2.0
# Overlay port: `vcpkg install telcrm --overlay-ports=<telcrm>/cmake/vcpkg/ports`.
# It builds the source tree this port lives in (set TELCRM_SOURCE_PATH to build another).
if(NOT DEFINED TELCRM_SOURCE_PATH)
  get_filename_component(TELCRM_SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../../../.." ABSOLUTE)
endif()

vcpkg_check_features(OUT_FEATURE_OPTIONS feature_options
  FEATURES
    json     TELCRM_WITH_JSON
    sqlite   TELCRM_WITH_SQLITE
    postgres TELCRM_WITH_POSTGRES
    tools    TELCRM_BUILD_TOOLS)

vcpkg_cmake_configure(
  SOURCE_PATH "${TELCRM_SOURCE_PATH}"
  OPTIONS
    ${feature_options}
    -DTELCRM_BUILD_TESTS=OFF
    -DTELCRM_BUILD_EXAMPLES=OFF
    -DTELCRM_BUILD_BENCH=OFF
    -DTELCRM_INSTALL=ON)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH lib/cmake/telcrm)
vcpkg_fixup_pkgconfig()
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include" "${CURRENT_PACKAGES_DIR}/debug/share")
vcpkg_install_copyright(FILE_LIST "${TELCRM_SOURCE_PATH}/LICENSE")
