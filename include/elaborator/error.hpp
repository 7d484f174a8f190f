#pragma once
// The one exception type the library throws, for errors a user can act on (bad configuration, a port
// already in use, a missing file). Failures while running are counted in the statistics instead.

#include <stdexcept>
#include <string>

namespace elaborator {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace elaborator
