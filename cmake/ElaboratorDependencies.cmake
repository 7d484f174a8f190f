# What elaborator's targets carry to their users, per component. Included by the build (every component) and
# by elaboratorConfig.cmake (the core and the components asked for), so the two can never disagree about a
# dependency. In: ELABORATOR_WANTED_COMPONENTS. Out: ELABORATOR_<COMPONENT>_DEPENDENCIES (targets).
include(CMakeFindDependencyMacro)

# Inside a package config, find_dependency() reports a missing dependency to the caller of find_package()
# (and returns from the config file); in the project's own build a missing dependency is a hard error.
macro(elaborator_require)
  if(CMAKE_FIND_PACKAGE_NAME)
    find_dependency(${ARGV})
  else()
    find_package(${ARGV} REQUIRED)
  endif()
endmacro()

# The components and what each needs besides the core (program needs janus for its rooms).
set(ELABORATOR_COMPONENTS vision http janus program)
set(ELABORATOR_PROGRAM_COMPONENTS janus)
if("program" IN_LIST ELABORATOR_WANTED_COMPONENTS)
  list(APPEND ELABORATOR_WANTED_COMPONENTS ${ELABORATOR_PROGRAM_COMPONENTS})
endif()

# The core: streams, elaborations, sampling, sinks, statistics, the configuration model, the main loop.
elaborator_require(Threads)
elaborator_require(OpenCV COMPONENTS core imgproc)
elaborator_require(nlohmann_json)
elaborator_require(fmt)
elaborator_require(PkgConfig)
if(NOT TARGET PkgConfig::elaborator_gstreamer)
  pkg_check_modules(elaborator_gstreamer REQUIRED IMPORTED_TARGET GLOBAL
    gstreamer-1.0>=1.20 gstreamer-app-1.0 gstreamer-video-1.0 gstreamer-net-1.0 gio-2.0)
endif()
set(ELABORATOR_CORE_DEPENDENCIES Threads::Threads opencv_core opencv_imgproc nlohmann_json::nlohmann_json fmt::fmt
    PkgConfig::elaborator_gstreamer)

# vision: Haar faces, face crops, JPEG.
if("vision" IN_LIST ELABORATOR_WANTED_COMPONENTS)
  elaborator_require(OpenCV COMPONENTS core imgproc imgcodecs objdetect)
  set(ELABORATOR_VISION_DEPENDENCIES opencv_imgcodecs opencv_objdetect)
endif()

# http and janus: HTTP clients.
if("http" IN_LIST ELABORATOR_WANTED_COMPONENTS OR "janus" IN_LIST ELABORATOR_WANTED_COMPONENTS)
  elaborator_require(CURL)
  set(ELABORATOR_HTTP_DEPENDENCIES CURL::libcurl)
  set(ELABORATOR_JANUS_DEPENDENCIES CURL::libcurl)
endif()

# program: the command line, and the control API's HTTP server (Debian's cpp-httplib has no CMake package,
# only pkg-config).
if("program" IN_LIST ELABORATOR_WANTED_COMPONENTS)
  elaborator_require(cxxopts)
  if(NOT TARGET PkgConfig::elaborator_httplib)
    pkg_check_modules(elaborator_httplib REQUIRED IMPORTED_TARGET GLOBAL cpp-httplib>=0.11)
  endif()
  set(ELABORATOR_PROGRAM_DEPENDENCIES cxxopts::cxxopts PkgConfig::elaborator_httplib)
endif()
