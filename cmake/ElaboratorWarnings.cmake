# Strict warnings for the project's own code. Third-party headers come in through imported targets,
# which CMake marks SYSTEM, so their warnings stay out.
add_library(elaborator_warnings INTERFACE)
target_compile_options(elaborator_warnings INTERFACE -Wall -Wextra -Wpedantic -Werror)
if(ELABORATOR_SANITIZE)
  target_compile_options(elaborator_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  # GCC 12's -Wmaybe-uninitialized fires inside libstdc++'s std::regex and std::optional when the sanitizers
  # change inlining (GCC bug 105562 and kin); in a sanitizer build the sanitizers themselves check this.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(elaborator_warnings INTERFACE -Wno-maybe-uninitialized)
  endif()
  target_link_options(elaborator_warnings INTERFACE -fsanitize=address,undefined)
endif()
