#pragma once
// A connected IPv4/IPv6 UDP socket for sending datagrams without ever blocking.

#include "../error.hpp"

#include <fmt/core.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace elaborator::detail {

class UdpSocket {
 public:
  // Resolves host:port and connects to it. Connecting makes the kernel report an absent receiver (ICMP port
  // unreachable) as ECONNREFUSED on a later send, instead of silence.
  UdpSocket(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
      throw Error(fmt::format("udp {}:{}: cannot resolve host: {}", host, port, ::gai_strerror(rc)));
    }
    std::string last_error = "no address";
    for (addrinfo* a = found; a != nullptr && fd_ < 0; a = a->ai_next) {
      const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
      if (fd < 0) {
        last_error = std::strerror(errno);
      } else if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
        last_error = std::strerror(errno);
        ::close(fd);
      } else {
        fd_ = fd;
      }
    }
    ::freeaddrinfo(found);
    if (fd_ < 0) throw Error(fmt::format("udp {}:{}: {}", host, port, last_error));
  }

  ~UdpSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // Sends one datagram; returns 0 or the errno of the failure (EAGAIN when the send buffer is full,
  // ECONNREFUSED when the receiver was found absent).
  [[nodiscard]] int send(std::string_view datagram) const {
    const ssize_t sent = ::send(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0) return errno;
    return static_cast<std::size_t>(sent) == datagram.size() ? 0 : EMSGSIZE;
  }

 private:
  int fd_ = -1;
};

}  // namespace elaborator::detail
