# SPDX-License-Identifier: Apache-2.0
# Finds Google's libphonenumber (Debian: libphonenumber-dev), which ships no CMake package.
# Used only by telcrm's differential tests and benchmarks, never by the library.
# Defines LibPhoneNumber::LibPhoneNumber.
find_path(LibPhoneNumber_INCLUDE_DIR phonenumbers/phonenumberutil.h)
find_library(LibPhoneNumber_LIBRARY NAMES phonenumber)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibPhoneNumber
  REQUIRED_VARS LibPhoneNumber_LIBRARY LibPhoneNumber_INCLUDE_DIR)
if(LibPhoneNumber_FOUND AND NOT TARGET LibPhoneNumber::LibPhoneNumber)
  add_library(LibPhoneNumber::LibPhoneNumber UNKNOWN IMPORTED)
  set_target_properties(LibPhoneNumber::LibPhoneNumber PROPERTIES
    IMPORTED_LOCATION "${LibPhoneNumber_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LibPhoneNumber_INCLUDE_DIR}")
endif()
mark_as_advanced(LibPhoneNumber_INCLUDE_DIR LibPhoneNumber_LIBRARY)
