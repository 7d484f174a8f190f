#pragma once
// gst-launch descriptions of the receiving pipelines the library builds. Values that come from users
// (addresses, paths) are never spliced into these strings: they are set as element properties afterwards,
// so a path with a '!' or a quote cannot change the pipeline.

#include "../source.hpp"

#include <fmt/core.h>

#include <string>

namespace elaborator::detail {

inline constexpr const char* udpsrc_name = "elaborator_udpsrc";
inline constexpr const char* depayloader_name = "elaborator_depay";
inline constexpr const char* decoder_name = "elaborator_decoder";
inline constexpr const char* filesrc_name = "elaborator_filesrc";
inline constexpr const char* appsink_name = "elaborator_appsink";
inline constexpr const char* user_appsink_name = "appsink";

// Everything after the decoder: the library always receives I420, whose Y plane is the gray image.
inline constexpr const char* to_appsink = "videoconvert ! video/x-raw,format=I420 ! appsink name=elaborator_appsink";

struct CodecElements {
  const char* encoding_name;  // in the RTP caps
  const char* depayloader;
  const char* decoder;        // with its parser, where it needs one
};

inline CodecElements codec_elements(Codec codec) {
  switch (codec) {
    case Codec::vp8: return {"VP8", "rtpvp8depay", "vp8dec"};
    case Codec::vp9: return {"VP9", "rtpvp9depay", "vp9dec"};
    // One decoding thread: FFmpeg's frame threading holds frames back (p99 arrival to decoded of 150-450 ms
    // at 720p30 on two busy cores, against 56 ms with one thread; slice threading 257 ms), and one core
    // decodes 720p in a few milliseconds. docs/performance.md has the figures.
    case Codec::h264: return {"H264", "rtph264depay", "h264parse ! avdec_h264 max-threads=1"};
  }
  return {"VP8", "rtpvp8depay", "vp8dec"};
}

inline std::string rtp_caps(const RtpSource& source) {
  return fmt::format("application/x-rtp,media=video,clock-rate=90000,encoding-name={},payload={}",
                     codec_elements(source.codec).encoding_name, source.payload_type);
}

// Everything after the element that receives the packets: jitter buffer, depayloader, decoder, conversion.
// After a loss the depayloader waits for the next keyframe and asks for one, and the decoder drops corrupt
// pictures and asks for a sync point: both requests travel upstream as force-key-unit events, which the
// stream turns into RTCP PLI (see Stream).
inline std::string rtp_decode_chain(const RtpSource& source) {
  const CodecElements codec = codec_elements(source.codec);
  return fmt::format(
      "rtpjitterbuffer latency={} ! {} name={} request-keyframe=true wait-for-keyframe=true ! "
      "{} name={} automatic-request-sync-points=true discard-corrupted-frames=true ! {}",
      source.jitter_latency.count(), codec.depayloader, depayloader_name, codec.decoder, decoder_name, to_appsink);
}

inline std::string rtp_pipeline(const RtpSource& source) {
  return fmt::format("udpsrc name={} ! {}", udpsrc_name, rtp_decode_chain(source));
}

inline std::string file_pipeline() {
  return fmt::format("filesrc name={} ! decodebin ! {}", filesrc_name, to_appsink);
}

}  // namespace elaborator::detail
