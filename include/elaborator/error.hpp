#pragma once
// The exceptions the library throws, for errors a user can act on (bad configuration, a port already in
// use, a missing file). Failures while running are counted in the statistics instead. The two refinements
// tell a control API which answer to give; catching Error catches them all.

#include <stdexcept>
#include <string>

namespace elaborator {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What is asked for clashes with what runs: a stream id already taken, a port in use, a limit reached.
class ConflictError : public Error {
 public:
  using Error::Error;
};

// What is asked for does not exist: no stream or elaboration by that name.
class NotFoundError : public Error {
 public:
  using Error::Error;
};

}  // namespace elaborator
