# Installs a ServiceChain build tree into a fresh prefix and checks that the install
# holds what a user needs: the headers, the library, the CLI and the CMake package files.
#
#   cmake -DBUILD_DIR=<build tree> -DPREFIX=<prefix> [-DCONFIG=<Debug|Release|...>]
#         [-DEXPECT_CLI=ON] [-DSOURCE_DIR=<source tree>] -P install_and_check.cmake
foreach(var IN ITEMS BUILD_DIR PREFIX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_and_check.cmake: -D${var}=... is required")
  endif()
endforeach()

# A fresh prefix every time, so files removed from the project cannot linger in it.
file(REMOVE_RECURSE "${PREFIX}")
set(config_args "")
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" ${config_args}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (exit ${rc}):\n${out}\n${err}")
endif()

set(missing "")
macro(expect_glob what)
  file(GLOB_RECURSE found LIST_DIRECTORIES false RELATIVE "${PREFIX}" ${ARGN})
  if(found)
    list(JOIN found ", " shown)
    message(STATUS "installed ${what}: ${shown}")
  else()
    list(APPEND missing "${what} (looked for ${ARGN})")
  endif()
endmacro()

expect_glob("umbrella header" "${PREFIX}/include/servicechain/servicechain.hpp")
expect_glob("error header" "${PREFIX}/include/servicechain/error.hpp")
expect_glob("library" "${PREFIX}/lib*/libservicechain.*" "${PREFIX}/lib*/servicechain*.lib")
expect_glob("package config" "${PREFIX}/lib*/cmake/ServiceChain/ServiceChainConfig.cmake")
expect_glob("package version" "${PREFIX}/lib*/cmake/ServiceChain/ServiceChainConfigVersion.cmake")
expect_glob("exported targets" "${PREFIX}/lib*/cmake/ServiceChain/ServiceChainTargets.cmake")
if(EXPECT_CLI)
  expect_glob("command-line tool" "${PREFIX}/bin/servicechain" "${PREFIX}/bin/servicechain.exe")
endif()

# Every header of the source tree's include/servicechain must be installed.
if(DEFINED SOURCE_DIR)
  file(GLOB_RECURSE source_headers RELATIVE "${SOURCE_DIR}/include" "${SOURCE_DIR}/include/servicechain/*.hpp")
  foreach(h IN LISTS source_headers)
    if(NOT EXISTS "${PREFIX}/include/${h}")
      list(APPEND missing "header ${h}")
    endif()
  endforeach()
  list(LENGTH source_headers n)
  message(STATUS "all ${n} public headers of ${SOURCE_DIR}/include are installed")
endif()

if(missing)
  list(JOIN missing "\n  " shown)
  message(FATAL_ERROR "the install into ${PREFIX} lacks:\n  ${shown}")
endif()
message(STATUS "install into ${PREFIX}: complete")
