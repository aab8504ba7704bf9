# Packaging: the generated version header, the shared library beside the static one, and the
# install rules (headers, libraries, CMake package eta::eta / eta::eta_shared / eta::models, eta.pc).
# Included at the end of the top-level CMakeLists.txt, once the targets eta and eta_models exist.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Parents that add_subdirectory(eta) get eta's targets but install nothing unless they ask.
option(ETA_INSTALL "Generate eta's install rules" ${ETA_IS_TOP_LEVEL})
option(ETA_BUILD_SHARED "Also build libeta.so (target eta_shared) from the same objects as libeta.a"
  ${ETA_IS_TOP_LEVEL})

# version.h is generated so that project(eta VERSION ...) is the only place the version is written.
set(ETA_GENERATED_INCLUDE_DIR ${PROJECT_BINARY_DIR}/include)
configure_file(${CMAKE_CURRENT_LIST_DIR}/version.h.in ${ETA_GENERATED_INCLUDE_DIR}/eta/version.h @ONLY)
target_include_directories(eta PUBLIC $<BUILD_INTERFACE:${ETA_GENERATED_INCLUDE_DIR}>)

# Users write #include "eta/models/mlp.h", installed or not: in the build tree a forwarding header
# per model stands in for the installed copy (eta's own code keeps writing "models/mlp.h").
file(GLOB ETA_MODEL_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/models/*.h)
foreach(header ${ETA_MODEL_HEADERS})
  get_filename_component(name ${header} NAME)
  file(CONFIGURE OUTPUT ${ETA_GENERATED_INCLUDE_DIR}/eta/models/${name}
    CONTENT "// Forwarding header for the build tree; installed, this is models/${name} itself.\n#pragma once\n#include \"${header}\"\n")
endforeach()
target_include_directories(eta_models PUBLIC $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

# Static and shared from one build: libeta.so is linked from libeta.a's objects, so the sources
# compile once (as position-independent code). -fno-semantic-interposition lets GCC keep inlining
# calls between eta's own functions, which -fPIC would otherwise forbid.
if(ETA_BUILD_SHARED AND NOT BUILD_SHARED_LIBS)
  set_target_properties(eta PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_compile_options(eta PRIVATE $<$<CXX_COMPILER_ID:GNU>:-fno-semantic-interposition>)
  add_library(eta_shared SHARED $<TARGET_OBJECTS:eta>)
  add_library(eta::eta_shared ALIAS eta_shared)
  set_target_properties(eta_shared PROPERTIES OUTPUT_NAME eta EXPORT_NAME eta_shared
    VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  target_include_directories(eta_shared PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${ETA_GENERATED_INCLUDE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(eta_shared PUBLIC cxx_std_20)
  # Whatever eta links so far (OpenBLAS, zlib, OpenMP) libeta.so links too; only OpenMP is public.
  # The installed static library's eta::openblas stand-in is for etaConfig.cmake, not for this link.
  get_target_property(_eta_links eta LINK_LIBRARIES)
  list(FILTER _eta_links EXCLUDE REGEX "INSTALL_INTERFACE")
  target_link_libraries(eta_shared PUBLIC OpenMP::OpenMP_CXX PRIVATE ${_eta_links})
endif()

if(ETA_BUILD_TESTS)
  enable_testing()
  add_subdirectory(${PROJECT_SOURCE_DIR}/tests/packaging ${PROJECT_BINARY_DIR}/tests/packaging)
endif()

if(NOT ETA_INSTALL)
  return()
endif()

get_target_property(_eta_links eta LINK_LIBRARIES)
set(ETA_DIST_MPI ${ETA_WITH_MPI})
set(ETA_LINKS_ZLIB FALSE)
if("ZLIB::ZLIB" IN_LIST _eta_links)
  set(ETA_LINKS_ZLIB TRUE)
endif()

set_target_properties(eta_models PROPERTIES EXPORT_NAME models)
set_target_properties(eta_dist PROPERTIES EXPORT_NAME dist)
set(_eta_targets eta eta_models eta_dist)
if(TARGET eta_shared)
  list(APPEND _eta_targets eta_shared)
endif()
install(TARGETS ${_eta_targets} EXPORT etaTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/eta ${ETA_GENERATED_INCLUDE_DIR}/eta
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h" PATTERN "models" EXCLUDE)
install(FILES ${ETA_MODEL_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/eta/models)

set(ETA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/eta)
install(EXPORT etaTargets NAMESPACE eta:: DESTINATION ${ETA_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/etaConfig.cmake.in
  ${PROJECT_BINARY_DIR}/etaConfig.cmake INSTALL_DESTINATION ${ETA_CMAKE_DIR})
# 0.x: a new minor version may break the API, so only the same major.minor satisfies a request.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/etaConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/etaConfig.cmake ${PROJECT_BINARY_DIR}/etaConfigVersion.cmake
  DESTINATION ${ETA_CMAKE_DIR})

# pkg-config: eta.pc finds the prefix relative to itself, so `cmake --install --prefix` anywhere
# works. Libs lists OpenBLAS and zlib too, so that the same line links libeta.a as well as libeta.so.
file(RELATIVE_PATH ETA_PC_RELATIVE_PREFIX
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" ETA_PC_RELATIVE_PREFIX "${ETA_PC_RELATIVE_PREFIX}")
get_filename_component(_eta_blas_dir ${OPENBLAS_LIBRARY} DIRECTORY)
set(ETA_PC_LIBS "-L${_eta_blas_dir} -lopenblas")
if(ETA_LINKS_ZLIB)
  string(APPEND ETA_PC_LIBS " -lz")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/eta.pc.in ${PROJECT_BINARY_DIR}/eta.pc @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/eta-models.pc.in ${PROJECT_BINARY_DIR}/eta-models.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/eta.pc ${PROJECT_BINARY_DIR}/eta-models.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
