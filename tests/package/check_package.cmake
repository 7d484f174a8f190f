# ctest -P script: builds and runs tests/package against the build tree, then against an install tree.
# Inputs: SOURCE_DIR (tests/package), BUILD_TREE (the project's build dir), WORK_DIR (scratch space),
# CXX (the compiler the project was built with).

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGV}\n${output}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})

# 1. From the build tree, without installing.
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/from-build -DCMAKE_CXX_COMPILER=${CXX} -Delaborator_DIR=${BUILD_TREE})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/from-build)
run(${WORK_DIR}/from-build/consumer)
message(STATUS "find_package(elaborator) from the build tree: built and ran")

# 2. From an install tree.
run(${CMAKE_COMMAND} --install ${BUILD_TREE} --prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/from-install -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/from-install)
run(${WORK_DIR}/from-install/consumer)
message(STATUS "find_package(elaborator) from an install tree: built and ran")
file(REMOVE_RECURSE ${WORK_DIR})
