#pragma once
// UDP sockets: one bound to receive on (bind_udp_socket), one connected to send datagrams without ever
// blocking (UdpSocket).

#include "../error.hpp"

#include <fmt/core.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace elaborator::detail {

// A UDP socket bound to address:port (port 0: the OS picks; `bound_port` tells which), without
// SO_REUSEADDR: a port another program uses is an error, never a silent split of its packets. Throws
// ConflictError for a port in use, Error for anything else; `what` ("rtp", "rtcp") starts the message.
inline int bind_udp_socket(std::string_view what, const std::string& address, std::uint16_t port,
                           std::uint16_t& bound_port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    throw Error(fmt::format("{} {}:{}: not an IP address: {}", what, address, port, ::gai_strerror(rc)));
  }
  const int fd = ::socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const bool bound = fd >= 0 && ::bind(fd, found->ai_addr, found->ai_addrlen) == 0;
  const int failure = bound ? 0 : errno;
  ::freeaddrinfo(found);
  if (!bound) {
    if (fd >= 0) ::close(fd);
    const std::string message = fmt::format("{} {}:{}: cannot bind: {}", what, address, port, std::strerror(failure));
    if (failure == EADDRINUSE) throw ConflictError(message);
    throw Error(message);
  }
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
  bound_port = ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&local)->sin6_port
                                                 : reinterpret_cast<sockaddr_in*>(&local)->sin_port);
  return fd;
}

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
