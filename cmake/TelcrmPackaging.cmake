# SPDX-License-Identifier: Apache-2.0
# The CMake package and the pkg-config files, one component at a time.
#
#   telcrm_add_component(<name> TARGETS <target>...
#     [REQUIRES <component>...]           components it needs (added before it)
#     [DEPENDENCIES "<pkg> [args]"...]    find_package() arguments, one string per package
#     [PC_LIBS <-l flags>] [PC_REQUIRES <pkg>...] [PC_LINK_REQUIRES <pkg>...] [PC_CFLAGS <flags>])
#
# Each component gets its own export set and targets file (telcrm-<name>-targets.cmake), in the
# build tree and in the install prefix, and its own <name>.pc. telcrmConfig.cmake loads a
# component's targets and looks up its DEPENDENCIES only when a consumer asks for it, so a
# core consumer needs fmt and nothing else. New components (testing, postgres, server) are one
# more call. telcrm_write_package() writes the config and version files after the last one.

set(TELCRM_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/telcrm")

function(telcrm_add_component name)
  cmake_parse_arguments(PARSE_ARGV 1 C "" ""
    "TARGETS;REQUIRES;DEPENDENCIES;PC_LIBS;PC_REQUIRES;PC_LINK_REQUIRES;PC_CFLAGS")
  get_property(added GLOBAL PROPERTY TELCRM_PACKAGE_COMPONENTS)
  foreach(required IN LISTS C_REQUIRES)
    if(NOT required IN_LIST added)
      message(FATAL_ERROR "telcrm component ${name} requires ${required}: add that one first")
    endif()
  endforeach()
  set_property(GLOBAL APPEND PROPERTY TELCRM_PACKAGE_COMPONENTS ${name})
  set_property(GLOBAL PROPERTY TELCRM_PACKAGE_${name}_REQUIRES "${C_REQUIRES}")
  set_property(GLOBAL PROPERTY TELCRM_PACKAGE_${name}_DEPENDENCIES "${C_DEPENDENCIES}")

  # Build tree: find_package(telcrm CONFIG) with telcrm_DIR=<build dir> works without installing.
  export(TARGETS ${C_TARGETS} NAMESPACE telcrm::
    FILE "${PROJECT_BINARY_DIR}/telcrm-${name}-targets.cmake")
  if(NOT TELCRM_INSTALL)
    return()
  endif()
  install(TARGETS ${C_TARGETS} EXPORT telcrm-${name}-targets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT telcrm-${name}-targets NAMESPACE telcrm:: DESTINATION "${TELCRM_CMAKE_DIR}")

  # pkg-config: a static library's link dependencies must be public (Requires), a shared
  # library's stay private.
  set(pc_name telcrm)
  if(NOT name STREQUAL "core")
    set(pc_name telcrm-${name})
  endif()
  set(PC_NAME ${pc_name})
  string(REPLACE ";" " " PC_LIBS "${C_PC_LIBS}")
  string(REPLACE ";" " " PC_CFLAGS "${C_PC_CFLAGS}")
  set(requires ${C_PC_REQUIRES})
  set(requires_private "")
  if(BUILD_SHARED_LIBS)
    set(requires_private ${C_PC_LINK_REQUIRES})
  else()
    list(APPEND requires ${C_PC_LINK_REQUIRES})
  endif()
  string(REPLACE ";" ", " PC_REQUIRES "${requires}")
  string(REPLACE ";" ", " PC_REQUIRES_PRIVATE "${requires_private}")
  # The prefix is found from where the .pc file lies (${pcfiledir}), so a moved or
  # repackaged prefix keeps working.
  foreach(dir LIBDIR INCLUDEDIR)
    if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
      set(PC_${dir} "${CMAKE_INSTALL_${dir}}")
    else()
      set(PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
    endif()
  endforeach()
  if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  else()
    file(RELATIVE_PATH up "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
    string(REGEX REPLACE "/$" "" up "${up}")
    set(PC_PREFIX "\${pcfiledir}/${up}")
  endif()
  configure_file("${PROJECT_SOURCE_DIR}/cmake/telcrm.pc.in" "${PROJECT_BINARY_DIR}/${pc_name}.pc"
    @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/${pc_name}.pc"
    DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
endfunction()

function(telcrm_write_package)
  get_property(components GLOBAL PROPERTY TELCRM_PACKAGE_COMPONENTS)
  set(code "set(_telcrm_components ${components})\n")
  foreach(name IN LISTS components)
    get_property(requires GLOBAL PROPERTY TELCRM_PACKAGE_${name}_REQUIRES)
    get_property(dependencies GLOBAL PROPERTY TELCRM_PACKAGE_${name}_DEPENDENCIES)
    string(APPEND code "set(_telcrm_${name}_requires \"${requires}\")\n")
    string(APPEND code "set(_telcrm_${name}_dependencies \"${dependencies}\")\n")
  endforeach()
  set(TELCRM_PACKAGE_COMPONENTS_CODE "${code}")

  configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/telcrmConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/telcrmConfig.cmake"
    INSTALL_DESTINATION "${TELCRM_CMAKE_DIR}")
  # Before 1.0 a minor release may break the API and the ABI (the inline namespace carries
  # the minor version), so `find_package(telcrm 0.2)` accepts 0.2.x only.
  write_basic_package_version_file("${PROJECT_BINARY_DIR}/telcrmConfigVersion.cmake"
    COMPATIBILITY SameMinorVersion)

  if(NOT TELCRM_INSTALL)
    return()
  endif()
  # telcrm/server/ and telcrm/bitrix24/ belong to the tool's HTTP shell, which is not
  # installed as a library.
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/telcrm"
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} PATTERN "server" EXCLUDE PATTERN "bitrix24" EXCLUDE)
  install(FILES "${PROJECT_BINARY_DIR}/telcrmConfig.cmake"
                "${PROJECT_BINARY_DIR}/telcrmConfigVersion.cmake"
          DESTINATION "${TELCRM_CMAKE_DIR}")
  install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" "${PROJECT_SOURCE_DIR}/README.md"
                "${PROJECT_SOURCE_DIR}/CHANGELOG.md" "${PROJECT_SOURCE_DIR}/docs/rules.md"
          DESTINATION "${CMAKE_INSTALL_DOCDIR}")
endfunction()
