#pragma once
// A VideoRoom publisher's coming or going, as Janus's event handlers tell it (events.hpp reads them from
// their POSTs; dispatcher.hpp acts on them).

#include <cstdint>
#include <string>
#include <vector>

namespace elaborator::janus {

// One active audio stream of a publisher: its mid and its codec as Janus names it ("opus").
struct PublishedAudio {
  std::string mid;
  std::string codec;
  bool operator==(const PublishedAudio&) const = default;
};

struct PublisherEvent {
  enum class Kind { publishing, gone };
  Kind kind = Kind::gone;
  std::uint64_t room = 0;
  std::uint64_t publisher = 0;
  std::vector<std::string> video_mids;  // publishing: the mids of its video streams that are on
  std::vector<PublishedAudio> audio;    // publishing: its audio streams that are on
};

}  // namespace elaborator::janus
