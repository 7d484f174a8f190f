#pragma once
// Result messages as UDP datagrams, one message each: what the Janus Streaming plugin's data port expects.
//
// A message never leaves as a fragmented or cut datagram. The limit defaults to 1472 bytes (an Ethernet MTU
// minus IP and UDP headers, so no IP fragmentation either). A larger message is sent with only its most
// confident detections that fit and a "truncated" field saying how many there were (counted as truncated);
// if even an empty detection list does not fit, it is not sent (counted as failed).

#include "../detail/datagram_fit.hpp"
#include "../detail/udp_socket.hpp"
#include "../sink.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace elaborator {

class UdpSink : public Sink {
 public:
  static constexpr std::size_t default_max_datagram = 1472;
  static constexpr std::size_t largest_ipv4_datagram = 65507;

  UdpSink(const std::string& host, std::uint16_t port, std::size_t max_datagram = default_max_datagram)
      : Sink(fmt::format("udp {}:{}", host, port)), socket_(host, port), max_datagram_(max_datagram) {
    if (max_datagram < 64 || max_datagram > largest_ipv4_datagram) {
      throw Error(fmt::format("udp {}:{}: datagram limit {} is outside 64..{} bytes", host, port, max_datagram,
                              largest_ipv4_datagram));
    }
  }

 private:
  Outcome write_message(const Message& message) override {
    const auto datagram = detail::fit_datagram(message, max_datagram_);
    if (!datagram) {
      report_failure("a {}-byte message does not fit in {} bytes even without detections; not sent",
                     message.text().size(), max_datagram_);
      return Outcome::failed;
    }
    if (const int error = socket_.send(*datagram); error != 0) {
      report_failure("send failed: {}", std::strerror(error));
      return Outcome::failed;
    }
    return datagram->size() == message.text().size() ? Outcome::written : Outcome::truncated;
  }

  detail::UdpSocket socket_;
  std::size_t max_datagram_;
};

}  // namespace elaborator
