#pragma once
// Where a stream's video or audio comes from. Three kinds, as a std::variant:
//   RtpSource       RTP over UDP, typed: the library builds jitter buffer, depayloader, decoder, conversion.
//                   Its codec says whether the stream is video (VP8, VP9, H.264) or audio (Opus, G.711).
//   PipelineSource  any gst-launch description ending in an appsink named "appsink", for special sources
//                   (video only).
//   FileSource      a media file, for offline runs and tests: its video, or its audio.
// A stream carries one medium. Audio is decoded to the PCM its AudioFormat says: 16 kHz mono by default,
// what speech models take.

#include "error.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace elaborator {

enum class Media { video, audio };

inline std::string_view to_string(Media media) { return media == Media::audio ? "audio" : "video"; }

// pcmu and pcma are G.711 (mu-law and A-law, 8 kHz): how SIP gateways and phones reach Janus.
enum class Codec { vp8, vp9, h264, opus, pcmu, pcma };

inline std::string_view to_string(Codec codec) {
  switch (codec) {
    case Codec::vp8: return "vp8";
    case Codec::vp9: return "vp9";
    case Codec::h264: return "h264";
    case Codec::opus: return "opus";
    case Codec::pcmu: return "pcmu";
    case Codec::pcma: return "pcma";
  }
  return "?";
}

inline Codec parse_codec(std::string_view name) {
  if (name == "vp8" || name == "VP8") return Codec::vp8;
  if (name == "vp9" || name == "VP9") return Codec::vp9;
  if (name == "h264" || name == "H264" || name == "H.264") return Codec::h264;
  if (name == "opus" || name == "OPUS") return Codec::opus;
  if (name == "pcmu" || name == "PCMU") return Codec::pcmu;
  if (name == "pcma" || name == "PCMA") return Codec::pcma;
  throw Error(fmt::format("unknown codec '{}': expected vp8, vp9 or h264 (video), opus, pcmu or pcma (audio)", name));
}

inline Media media_of(Codec codec) {
  return codec == Codec::opus || codec == Codec::pcmu || codec == Codec::pcma ? Media::audio : Media::video;
}

// The payload type a codec's packets carry unless the sender says otherwise: G.711's are fixed by RFC 3551,
// the others are dynamic and 96 or 111 (Opus) is what senders pick most often.
inline int default_payload_type(Codec codec) {
  switch (codec) {
    case Codec::pcmu: return 0;
    case Codec::pcma: return 8;
    case Codec::opus: return 111;
    default: return 96;
  }
}

// The PCM an audio stream is decoded to, whatever its codec sent: signed 16-bit samples, interleaved.
struct AudioFormat {
  int sample_rate = 16000;
  int channels = 1;

  void validate() const {
    if (sample_rate < 8000 || sample_rate > 192000) throw Error("audio: sample_rate must be from 8000 to 192000");
    if (channels < 1 || channels > 8) throw Error("audio: channels must be from 1 to 8");
  }
};

struct RtpSource {
  std::string bind_address = "127.0.0.1";  // an IP address of this machine; "0.0.0.0" for every interface
  std::uint16_t port = 0;                  // 0: the OS picks a free port (Stream::port() tells which)
  Codec codec = Codec::vp8;
  int payload_type = 96;                   // packets with another payload type are rejected and counted
                                           // (default_payload_type() tells what fits another codec)
  std::chrono::milliseconds jitter_latency{50};  // how long the jitter buffer waits for late packets
  // Where to listen for the sender's RTCP, to learn where keyframe requests (RTCP PLI) go: the "rtcp_port"
  // of a Janus rtp_forward. Without it no keyframe can be requested. 0: the OS picks a free port.
  std::optional<std::uint16_t> rtcp_port;
  // If set, the only address RTP packets are accepted from (e.g. Janus's); packets from anyone else are
  // dropped and counted as rejected.
  std::string allowed_sender;
  AudioFormat audio{};  // audio codecs: the PCM the stream hands out
};

struct PipelineSource {
  std::string launch;  // e.g. "v4l2src ! videoconvert ! appsink name=appsink"
  bool live = true;    // live: never wait for a slow elaboration (drop); not live: wait (lose nothing)
};

struct FileSource {
  std::string path;
  bool realtime = false;  // true: play at the file's own frame rate, as a live source would
  Media media = Media::video;  // which of the file's media the stream decodes
  AudioFormat audio{};         // media audio: the PCM the stream hands out
};

using Source = std::variant<RtpSource, PipelineSource, FileSource>;

// A live source never waits for its elaborations; a file read as fast as possible does, so an offline run
// classifies every frame its sampling policy picks.
inline bool is_live(const Source& source) {
  if (const auto* file = std::get_if<FileSource>(&source)) return file->realtime;
  if (const auto* pipeline = std::get_if<PipelineSource>(&source)) return pipeline->live;
  return true;
}

inline Media media_of(const Source& source) {
  if (const auto* rtp = std::get_if<RtpSource>(&source)) return media_of(rtp->codec);
  if (const auto* file = std::get_if<FileSource>(&source)) return file->media;
  return Media::video;
}

// The PCM a source's audio is decoded to; a source of video has none (the default, unused).
inline AudioFormat audio_format_of(const Source& source) {
  if (const auto* rtp = std::get_if<RtpSource>(&source)) return rtp->audio;
  if (const auto* file = std::get_if<FileSource>(&source)) return file->audio;
  return {};
}

inline std::string describe(const Source& source) {
  struct Describer {
    std::string operator()(const RtpSource& s) const {
      std::string text = fmt::format("rtp {} on {}:{} (payload type {})", to_string(s.codec), s.bind_address, s.port,
                                     s.payload_type);
      if (s.rtcp_port) text += fmt::format(", rtcp on {}:{}", s.bind_address, *s.rtcp_port);
      if (!s.allowed_sender.empty()) text += fmt::format(", only from {}", s.allowed_sender);
      return text;
    }
    std::string operator()(const PipelineSource& s) const { return fmt::format("pipeline '{}'", s.launch); }
    std::string operator()(const FileSource& s) const {
      return s.media == Media::audio ? fmt::format("the audio of file {}", s.path) : fmt::format("file {}", s.path);
    }
  };
  return std::visit(Describer{}, source);
}

}  // namespace elaborator
