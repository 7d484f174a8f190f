#pragma once
// Asks the sender of an RTP stream for a keyframe with RTCP Picture Loss Indications (PLI).
//
// A Janus VideoRoom rtp_forward with an "rtcp_port" opens a socket of its own ("local_rtcp_port") and, when
// the forwarder is created, sends two empty 12-byte RTP headers from it to that port to latch; it accepts
// PLI and FIR for the publisher there (and ignores other feedback). Other senders send real RTCP. So this
// class listens on the RTCP port, latches the source address of the last valid RTCP packet or RTP header,
// and sends a PLI there whenever the stream asks for one: at start, when nothing decodable has come yet,
// after a stall, on a new sender, on decoder errors and lost packets. Janus latches only once, so the
// forward must be created after the elaborator listens. Requests are coalesced: at most one PLI per
// min_interval, so a burst of losses cannot make the publisher encode a keyframe per packet.

#include "../error.hpp"
#include "log.hpp"
#include "rtcp.hpp"
#include "udp_socket.hpp"

#include <fmt/core.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <thread>

namespace elaborator::detail {

class KeyframeRequester {
 public:
  static constexpr auto min_interval = std::chrono::milliseconds(500);

  KeyframeRequester(const std::string& address, std::uint16_t port, std::string stream_id)
      : stream_id_(std::move(stream_id)), fd_(bind_udp_socket("rtcp", address, port, port_)),
        own_ssrc_(std::random_device{}()) {
    thread_ = std::jthread([this](std::stop_token stop) { receive(stop); });
  }

  ~KeyframeRequester() { stop(); }

  // Stops listening and closes the socket; the counters stay readable.
  void stop() {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    thread_.join();
    ::close(fd_);
  }
  KeyframeRequester(const KeyframeRequester&) = delete;
  KeyframeRequester& operator=(const KeyframeRequester&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }

  // Asks for a keyframe soon (within about 0.1 s once the sender's address is known). Never blocks.
  void request(const char* reason) {
    const std::lock_guard lock(mutex_);
    pending_reason_ = reason;
  }

  // The SSRC of the stream a PLI is about (Janus does not check it, other senders may).
  void set_media_ssrc(std::uint32_t ssrc) { media_ssrc_.store(ssrc); }

  [[nodiscard]] std::uint64_t plis_sent() const { return plis_sent_.load(); }
  [[nodiscard]] std::uint64_t rtcp_received() const { return rtcp_received_.load(); }
  [[nodiscard]] std::uint64_t rtcp_rejected() const { return rtcp_rejected_.load(); }

 private:
  void receive(const std::stop_token& stop) {
    std::array<std::uint8_t, 1500> buffer{};
    while (!stop.stop_requested()) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) {
        sockaddr_storage from{};
        socklen_t from_length = sizeof from;
        const ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), MSG_TRUNC, reinterpret_cast<sockaddr*>(&from),
                                     &from_length);
        if (n > 0) accept(std::span<const std::uint8_t>(buffer.data(), std::min<std::size_t>(n, buffer.size())),
                          static_cast<std::size_t>(n), from, from_length);
      }
      send_if_due();
    }
  }

  void accept(std::span<const std::uint8_t> packet, std::size_t real_size, const sockaddr_storage& from,
              socklen_t from_length) {
    if (real_size > packet.size() || (!parse_rtcp_compound(packet) && !parse_rtp_header(packet))) {
      ++rtcp_rejected_;
      rejections_("stream {}: rejected a packet on the RTCP port that is neither RTCP nor an RTP header", stream_id_);
      return;
    }
    ++rtcp_received_;
    const std::lock_guard lock(mutex_);
    if (!peer_) detail::log("stream {}: the RTP sender's RTCP address is known: keyframes can be requested", stream_id_);
    peer_ = from;
    peer_length_ = from_length;
  }

  void send_if_due() {
    const std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (pending_reason_ == nullptr || !peer_ || now - last_sent_ < min_interval) return;
    const auto pli = make_pli(own_ssrc_, media_ssrc_.load());
    if (::sendto(fd_, pli.data(), pli.size(), MSG_DONTWAIT | MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&*peer_),
                 peer_length_) == static_cast<ssize_t>(pli.size())) {
      ++plis_sent_;
      sent_log_("stream {}: asked the sender for a keyframe ({})", stream_id_, pending_reason_);
    } else {
      sent_log_("stream {}: could not send a keyframe request: {}", stream_id_, std::strerror(errno));
    }
    pending_reason_ = nullptr;
    last_sent_ = now;
  }

  std::string stream_id_;
  std::uint16_t port_ = 0;
  int fd_;
  std::uint32_t own_ssrc_;
  std::atomic<std::uint32_t> media_ssrc_{0};

  std::mutex mutex_;
  std::optional<sockaddr_storage> peer_;
  socklen_t peer_length_ = 0;
  const char* pending_reason_ = nullptr;  // string literals only
  std::chrono::steady_clock::time_point last_sent_{};

  std::atomic<std::uint64_t> plis_sent_{0};
  std::atomic<std::uint64_t> rtcp_received_{0};
  std::atomic<std::uint64_t> rtcp_rejected_{0};
  RateLimitedLog rejections_;
  RateLimitedLog sent_log_;
  std::jthread thread_;
};

}  // namespace elaborator::detail
