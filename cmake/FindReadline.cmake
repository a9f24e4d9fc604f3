# FindReadline: GNU Readline has no pkg-config file on every system, so look
# for it through pkg-config first and fall back to the header and library.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_READLINE QUIET readline)
endif()
find_path(Readline_INCLUDE_DIR readline/readline.h HINTS ${PC_READLINE_INCLUDE_DIRS})
find_library(Readline_LIBRARY readline HINTS ${PC_READLINE_LIBRARY_DIRS})
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Readline REQUIRED_VARS Readline_LIBRARY Readline_INCLUDE_DIR)
if(Readline_FOUND AND NOT TARGET Readline::Readline)
  add_library(Readline::Readline UNKNOWN IMPORTED)
  set_target_properties(Readline::Readline PROPERTIES
    IMPORTED_LOCATION "${Readline_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Readline_INCLUDE_DIR}")
endif()
