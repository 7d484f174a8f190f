#pragma once
// Two things the Janus dispatcher (janus/dispatcher.hpp) works out from its configuration: which replica
// takes a publisher, and the host of Janus's URL, where its mountpoints listen. Internal: the dispatcher
// is the library's; these are apart from it so that tests can check them alone.

#include <cstdint>
#include <string>

namespace elaborator::detail {

// FNV-1a of a room and a publisher: the same replica on every machine and every run.
inline std::uint64_t publisher_hash(std::uint64_t room, std::uint64_t publisher) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const std::uint64_t value : {room, publisher}) {
    for (int byte = 0; byte < 8; ++byte) {
      hash ^= (value >> (8 * byte)) & 0xFF;
      hash *= 1099511628211ULL;
    }
  }
  return hash;
}

// The host of an http(s) URL ("http://127.0.0.1:8088/janus" -> "127.0.0.1"): where Janus's mountpoints listen.
inline std::string url_host(const std::string& url) {
  const auto start = url.find("://");
  std::string rest = url.substr(start == std::string::npos ? 0 : start + 3);
  rest = rest.substr(0, rest.find('/'));
  if (rest.starts_with('[')) return rest.substr(1, rest.find(']') - 1);
  return rest.substr(0, rest.find(':'));
}

}  // namespace elaborator::detail
