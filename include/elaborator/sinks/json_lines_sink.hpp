#pragma once
// Result messages as JSON Lines: one message per line, to a file (appended to) or to standard output.
//
// Each message is handed to the kernel with one write(2) as soon as it is published, so `tail -f` sees it
// at once and nothing waits in a buffer at exit. A failed write (ENOSPC on a full disk, EPIPE on a closed
// pipe) is counted and the next message is tried; after a partial write the file may end in a cut line,
// which readers should skip.

#include "../error.hpp"
#include "../sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

namespace elaborator {

class JsonLinesSink : public Sink {
 public:
  // Opens (creates, appends to) a file; throws elaborator::Error if it cannot.
  static std::shared_ptr<JsonLinesSink> open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(fmt::format("jsonl {}: cannot open: {}", path, std::strerror(errno)));
    return std::shared_ptr<JsonLinesSink>(new JsonLinesSink("jsonl " + path, fd, true));
  }

  static std::shared_ptr<JsonLinesSink> standard_output() {
    return std::shared_ptr<JsonLinesSink>(new JsonLinesSink("stdout", STDOUT_FILENO, false));
  }

  ~JsonLinesSink() override {
    if (owns_fd_) ::close(fd_);
  }

 private:
  JsonLinesSink(std::string name, int fd, bool owns_fd) : Sink(std::move(name)), fd_(fd), owns_fd_(owns_fd) {}

  Outcome write_message(const Message& message) override {
    line_.assign(message.text());
    line_.push_back('\n');
    const char* data = line_.data();
    std::size_t left = line_.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, data, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        report_failure("write failed: {}", n < 0 ? std::strerror(errno) : "nothing written");
        return Outcome::failed;
      }
      data += n;
      left -= static_cast<std::size_t>(n);
    }
    return Outcome::written;
  }

  int fd_;
  bool owns_fd_;
  std::string line_;  // reused: no allocation per message once it has grown
};

}  // namespace elaborator
