#pragma once
// HOST:PORT, as users write where results go.

#include "error.hpp"

#include <fmt/core.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace elaborator {

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
};

// A UDP port number, 0-65535, as text; `what` names it in the error.
inline std::uint16_t parse_port(std::string_view text, std::string_view what) {
  unsigned port = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (error != std::errc{} || end != text.data() + text.size() || port > 65535) {
    throw Error(fmt::format("{}: '{}' is not a port number (0-65535)", what, text));
  }
  return static_cast<std::uint16_t>(port);
}

// Where to listen: "127.0.0.1:8080", "[::1]:8080"; port 0 lets the OS pick one.
inline Endpoint parse_listen_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    throw Error(fmt::format("'{}' is not HOST:PORT", text));
  }
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return {std::string(host), parse_port(text.substr(colon + 1), text)};
}

// Where to send: "127.0.0.1:5002", "localhost:5002" or "[::1]:5002".
inline Endpoint parse_endpoint(std::string_view text) {
  Endpoint endpoint = parse_listen_endpoint(text);
  if (endpoint.port == 0) throw Error(fmt::format("{}: port 0 is no destination", text));
  return endpoint;
}

}  // namespace elaborator
