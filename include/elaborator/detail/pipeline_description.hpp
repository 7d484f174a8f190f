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

// Everything after the decoder: the library always receives I420 video, whose Y plane is the gray image,
// and audio as interleaved signed 16-bit PCM of the stream's format.
inline constexpr const char* to_video_appsink =
    "videoconvert ! video/x-raw,format=I420 ! appsink name=elaborator_appsink";

inline std::string audio_caps(const AudioFormat& format) {
  return fmt::format("audio/x-raw,format=S16LE,layout=interleaved,rate={},channels={}", format.sample_rate,
                     format.channels);
}

inline std::string to_audio_appsink(const AudioFormat& format) {
  return fmt::format("audioconvert ! audioresample ! {} ! appsink name={}", audio_caps(format), appsink_name);
}

struct CodecElements {
  const char* encoding_name;  // in the RTP caps
  int clock_rate;             // of the RTP timestamps
  const char* depayloader;
  const char* decoder;        // with its parser, where it needs one
};

inline CodecElements codec_elements(Codec codec) {
  switch (codec) {
    case Codec::vp8: return {"VP8", 90000, "rtpvp8depay", "vp8dec"};
    case Codec::vp9: return {"VP9", 90000, "rtpvp9depay", "vp9dec"};
    // One decoding thread: FFmpeg's frame threading holds frames back (p99 arrival to decoded of 150-450 ms
    // at 720p30 on two busy cores, against 56 ms with one thread; slice threading 257 ms), and one core
    // decodes 720p in a few milliseconds. docs/performance.md has the figures.
    case Codec::h264: return {"H264", 90000, "rtph264depay", "h264parse ! avdec_h264 max-threads=1"};
    // Opus conceals a lost packet from the packets around it (plc), told of the loss by the jitter buffer.
    case Codec::opus: return {"OPUS", 48000, "rtpopusdepay", "opusdec plc=true"};
    case Codec::pcmu: return {"PCMU", 8000, "rtppcmudepay", "mulawdec"};
    case Codec::pcma: return {"PCMA", 8000, "rtppcmadepay", "alawdec"};
  }
  return {"VP8", 90000, "rtpvp8depay", "vp8dec"};
}

inline std::string rtp_caps(const RtpSource& source) {
  const CodecElements codec = codec_elements(source.codec);
  return fmt::format("application/x-rtp,media={},clock-rate={},encoding-name={},payload={}",
                     to_string(media_of(source.codec)), codec.clock_rate, codec.encoding_name, source.payload_type);
}

// Everything after the element that receives the packets: jitter buffer, depayloader, decoder, conversion.
// Video: after a loss the depayloader waits for the next keyframe and asks for one, and the decoder drops
// corrupt pictures and asks for a sync point: both requests travel upstream as force-key-unit events, which
// the stream turns into RTCP PLI (see Stream). Audio has no keyframes: the jitter buffer reports each lost
// packet (do-lost), so that the decoder conceals it and the stream's time goes on without a hole.
inline std::string rtp_decode_chain(const RtpSource& source) {
  const CodecElements codec = codec_elements(source.codec);
  if (media_of(source.codec) == Media::audio) {
    return fmt::format("rtpjitterbuffer latency={} do-lost=true ! {} name={} ! {} name={} ! {}",
                       source.jitter_latency.count(), codec.depayloader, depayloader_name, codec.decoder,
                       decoder_name, to_audio_appsink(source.audio));
  }
  return fmt::format(
      "rtpjitterbuffer latency={} ! {} name={} request-keyframe=true wait-for-keyframe=true ! "
      "{} name={} automatic-request-sync-points=true discard-corrupted-frames=true ! {}",
      source.jitter_latency.count(), codec.depayloader, depayloader_name, codec.decoder, decoder_name,
      to_video_appsink);
}

inline std::string rtp_pipeline(const RtpSource& source) {
  return fmt::format("udpsrc name={} ! {}", udpsrc_name, rtp_decode_chain(source));
}

// decodebin links the first of the file's streams the conversion after it accepts: its video, or its audio.
inline std::string file_pipeline(const FileSource& source) {
  return fmt::format("filesrc name={} ! decodebin ! {}", filesrc_name,
                     source.media == Media::audio ? to_audio_appsink(source.audio) : to_video_appsink);
}

}  // namespace elaborator::detail
