# What elaborator::elaborator carries to its users. Included by the build and by elaboratorConfig.cmake,
# so the two can never disagree about a dependency.
include(CMakeFindDependencyMacro)

# Inside a package config, find_dependency() reports a missing dependency to the caller of find_package();
# in the project's own build a missing dependency is a hard error.
macro(elaborator_require)
  if(CMAKE_FIND_PACKAGE_NAME)
    find_dependency(${ARGV})
  else()
    find_package(${ARGV} REQUIRED)
  endif()
endmacro()

elaborator_require(Threads)
elaborator_require(OpenCV COMPONENTS core imgproc imgcodecs objdetect)
elaborator_require(nlohmann_json)
elaborator_require(fmt)
elaborator_require(cxxopts)
elaborator_require(CURL)
elaborator_require(PkgConfig)
if(NOT TARGET PkgConfig::elaborator_gstreamer)
  pkg_check_modules(elaborator_gstreamer REQUIRED IMPORTED_TARGET GLOBAL
    gstreamer-1.0>=1.20 gstreamer-app-1.0 gstreamer-video-1.0 gstreamer-net-1.0 gio-2.0)
endif()
# The control API's HTTP server (Debian's cpp-httplib has no CMake package, only pkg-config).
if(NOT TARGET PkgConfig::elaborator_httplib)
  pkg_check_modules(elaborator_httplib REQUIRED IMPORTED_TARGET GLOBAL cpp-httplib>=0.11)
endif()

set(ELABORATOR_DEPENDENCY_TARGETS
  Threads::Threads opencv_core opencv_imgproc opencv_imgcodecs opencv_objdetect
  nlohmann_json::nlohmann_json fmt::fmt cxxopts::cxxopts CURL::libcurl PkgConfig::elaborator_gstreamer
  PkgConfig::elaborator_httplib)
