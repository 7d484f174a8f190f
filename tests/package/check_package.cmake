# ctest -P script: builds and runs tests/package against the build tree, then against an install tree.
# Inputs: SOURCE_DIR (tests/package), BUILD_TREE (the project's build dir), WORK_DIR (scratch space),
# CXX (the compiler the project was built with).

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGV}\n${output}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()

# The consumers of a tree: the core-only one runs and loads no component's library (ldd), the program one
# runs --help and does load libcurl (so the check above can tell).
function(check_consumers dir)
  run(${dir}/consumer)
  run(ldd ${dir}/consumer)
  foreach(library libcurl libopencv_objdetect libopencv_imgcodecs)
    if(output MATCHES "${library}")
      message(FATAL_ERROR "the core-only consumer loads ${library}:\n${output}")
    endif()
  endforeach()
  run(${dir}/program_consumer --help)
  run(ldd ${dir}/program_consumer)
  if(NOT output MATCHES "libcurl")
    message(FATAL_ERROR "the program consumer does not load libcurl: is the check of the core-only one blind?")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})

# 1. From the build tree, without installing.
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/from-build -DCMAKE_CXX_COMPILER=${CXX} -Delaborator_DIR=${BUILD_TREE})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/from-build)
check_consumers(${WORK_DIR}/from-build)
message(STATUS "find_package(elaborator) from the build tree: built and ran; the core alone loads no libcurl")

# 2. From an install tree.
run(${CMAKE_COMMAND} --install ${BUILD_TREE} --prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/from-install -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/from-install)
check_consumers(${WORK_DIR}/from-install)
message(STATUS "find_package(elaborator) from an install tree: built and ran; the core alone loads no libcurl")

# 3. A component that does not exist is refused, naming those that do.
file(WRITE ${WORK_DIR}/unknown/CMakeLists.txt "cmake_minimum_required(VERSION 3.25)\nproject(unknown LANGUAGES CXX)\n"
     "find_package(elaborator REQUIRED COMPONENTS vision nonsense)\n")
execute_process(COMMAND ${CMAKE_COMMAND} -S ${WORK_DIR}/unknown -B ${WORK_DIR}/unknown/build -DCMAKE_CXX_COMPILER=${CXX}
                -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(result EQUAL 0 OR NOT output MATCHES "no component 'nonsense' \\(there are: vision, http, janus, program\\)")
  message(FATAL_ERROR "an unknown component was not refused as expected (${result}):\n${output}")
endif()
message(STATUS "find_package(elaborator COMPONENTS nonsense) is refused")
file(REMOVE_RECURSE ${WORK_DIR})
