#pragma once
// The ports of a configured range (config_types.hpp's PortRange) that the Janus dispatcher hands to its
// streams and mountpoints, five each, and takes back when they go. Internal: the dispatcher's own
// bookkeeping (janus/dispatcher.hpp), used on its thread only.

#include "../config_types.hpp"
#include "../error.hpp"
#include "udp_socket.hpp"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace elaborator::detail {

// The ports of a range not handed out yet; a port that cannot be bound here now is skipped.
class PortPool {
 public:
  explicit PortPool(PortRange range) : range_(range) {}

  // `count` ports, or nothing if the range has not that many free.
  std::optional<std::vector<std::uint16_t>> take(std::size_t count) {
    std::vector<std::uint16_t> ports;
    for (unsigned port = range_.first; port <= range_.last && ports.size() < count; ++port) {
      const auto candidate = static_cast<std::uint16_t>(port);
      if (taken_.contains(candidate) || !free_here(candidate)) continue;
      ports.push_back(candidate);
    }
    if (ports.size() < count) return std::nullopt;
    taken_.insert(ports.begin(), ports.end());
    return ports;
  }

  void give_back(const std::vector<std::uint16_t>& ports) {
    for (const auto port : ports) taken_.erase(port);
  }

  [[nodiscard]] bool contains(std::uint16_t port) const { return port >= range_.first && port <= range_.last; }

 private:
  static bool free_here(std::uint16_t port) {
    try {
      std::uint16_t bound = 0;
      ::close(elaborator::detail::bind_udp_socket("port", "0.0.0.0", port, bound));
      return true;
    } catch (const Error&) {
      return false;
    }
  }

  PortRange range_;
  std::set<std::uint16_t> taken_;
};

}  // namespace elaborator::detail
