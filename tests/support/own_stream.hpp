#pragma once
// What a one-stream program runs, for tests of one elaboration: a stream of its own, started after the
// elaboration attached to it. Declared after the elaboration, it is destroyed first: it stops the
// elaboration, then the stream.

#include <elaborator.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace test_support {

class OwnStream {
 public:
  OwnStream(elaborator::Elaboration& elaboration, elaborator::Source source, std::string id = "stream")
      : stream_(std::move(source), std::move(id)), elaboration_(elaboration) {
    elaboration_.start(stream_);
    try {
      stream_.start();
    } catch (...) {
      elaboration_.stop();
      throw;
    }
  }

  ~OwnStream() {
    elaboration_.stop();
    stream_.stop();
  }
  OwnStream(const OwnStream&) = delete;
  OwnStream& operator=(const OwnStream&) = delete;

  [[nodiscard]] std::uint16_t port() const { return stream_.port(); }
  [[nodiscard]] elaborator::Stream& stream() { return stream_; }

 private:
  elaborator::Stream stream_;
  elaborator::Elaboration& elaboration_;
};

}  // namespace test_support
