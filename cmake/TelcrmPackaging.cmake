# SPDX-License-Identifier: Apache-2.0
# install(EXPORT), telcrmConfig.cmake + version file, a build-tree export and telcrm.pc.

set(TELCRM_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/telcrm")

configure_package_config_file(cmake/telcrmConfig.cmake.in
  "${PROJECT_BINARY_DIR}/telcrmConfig.cmake"
  INSTALL_DESTINATION "${TELCRM_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/telcrmConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion)

# Build tree: find_package(telcrm CONFIG) with telcrm_DIR=<build dir> works without installing.
export(TARGETS ${telcrm_export_targets} NAMESPACE telcrm::
  FILE "${PROJECT_BINARY_DIR}/telcrmTargets.cmake")

if(TELCRM_INSTALL)
  install(TARGETS ${telcrm_export_targets} EXPORT telcrmTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  # telcrm/server/ belongs to the tool's HTTP shell, which is not installed as a library.
  install(DIRECTORY include/telcrm DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
    PATTERN "server" EXCLUDE)
  install(EXPORT telcrmTargets NAMESPACE telcrm:: DESTINATION "${TELCRM_CMAKE_DIR}")
  install(FILES "${PROJECT_BINARY_DIR}/telcrmConfig.cmake"
                "${PROJECT_BINARY_DIR}/telcrmConfigVersion.cmake"
          DESTINATION "${TELCRM_CMAKE_DIR}")
  configure_file(cmake/telcrm.pc.in "${PROJECT_BINARY_DIR}/telcrm.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/telcrm.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
  install(FILES LICENSE README.md CHANGELOG.md DESTINATION "${CMAKE_INSTALL_DOCDIR}")
endif()
