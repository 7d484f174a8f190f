# install(EXPORT) + a config file, usable from the install tree and from the build tree.
include(CMakePackageConfigHelpers)

set(ELABORATOR_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/elaborator)

list(TRANSFORM ELABORATOR_COMPONENTS PREPEND elaborator- OUTPUT_VARIABLE component_targets)
install(TARGETS elaborator ${component_targets} EXPORT elaboratorTargets)
install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT elaboratorTargets NAMESPACE elaborator:: DESTINATION ${ELABORATOR_CMAKE_DIR})

configure_package_config_file(cmake/elaboratorConfig.cmake.in
  ${PROJECT_BINARY_DIR}/elaboratorConfig.cmake INSTALL_DESTINATION ${ELABORATOR_CMAKE_DIR})
# Header-only: the package is the same for every architecture.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/elaboratorConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES
  ${PROJECT_BINARY_DIR}/elaboratorConfig.cmake
  ${PROJECT_BINARY_DIR}/elaboratorConfigVersion.cmake
  cmake/ElaboratorDependencies.cmake
  DESTINATION ${ELABORATOR_CMAKE_DIR})

# Build tree: find_package(elaborator) with elaborator_DIR=<build dir> works without installing.
export(EXPORT elaboratorTargets NAMESPACE elaborator:: FILE ${PROJECT_BINARY_DIR}/elaboratorTargets.cmake)
configure_file(cmake/ElaboratorDependencies.cmake ${PROJECT_BINARY_DIR}/ElaboratorDependencies.cmake COPYONLY)
