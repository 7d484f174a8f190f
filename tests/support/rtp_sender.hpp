#pragma once
// A real GStreamer pipeline that encodes a test pattern (or a sine, for audio codecs) and sends it as RTP over
// 127.0.0.1, in the test's own process, so it can be waited for and stopped deterministically.

#include <elaborator/detail/gst.hpp>
#include <elaborator/source.hpp>

#include <fmt/core.h>
#include <gst/gst.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace test_support {

struct SenderSettings {
  elaborator::Codec codec = elaborator::Codec::vp8;
  int frames = 60;  // audio: buffers of 10 ms
  int width = 320;
  int height = 240;
  int fps = 30;
  int payload_type = 96;
  bool live = true;  // at the frame rate, as a camera would; false: as fast as the encoder goes
  std::string file;  // a video (or audio) file to send instead of the test pattern (frames, width, height unused)
  std::string raw_video;  // or a gst-launch description of raw video to send (the same unused)
  std::string from = "127.0.0.1";  // the address packets come from (any 127.x.y.z works on loopback)
  double drop_probability = 0;     // of each RTP packet, after the payloader: packet loss on the way
  std::uint32_t ssrc = 0;          // 0: random, as a new sender would pick
  int seqnum_offset = -1;          // the first sequence number; -1: random, as a new sender would pick
  double sine_volume = 0.5;        // audio: the test sine's amplitude (1: full scale), at sine_hz
  int sine_hz = 440;
};

inline SenderSettings test_pattern(elaborator::Codec codec, int frames) {
  SenderSettings settings;
  settings.codec = codec;
  settings.frames = frames;
  return settings;
}

inline std::string encoder_and_payloader(const SenderSettings& s) {
  std::string rtp = fmt::format("pt={}", s.payload_type);
  if (s.ssrc != 0) rtp += fmt::format(" ssrc={}", s.ssrc);
  if (s.seqnum_offset >= 0) rtp += fmt::format(" seqnum-offset={}", s.seqnum_offset);
  switch (s.codec) {
    case elaborator::Codec::vp8:
      return fmt::format("vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay {}", rtp);
    case elaborator::Codec::vp9:
      return fmt::format("vp9enc deadline=1 keyframe-max-dist=30 ! rtpvp9pay {}", rtp);
    case elaborator::Codec::h264:
      return fmt::format("x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! rtph264pay {} config-interval=-1",
                         rtp);
    case elaborator::Codec::opus:
      return fmt::format("audioconvert ! audioresample ! opusenc ! rtpopuspay {}", rtp);
    case elaborator::Codec::pcmu:
      return fmt::format("audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay {}", rtp);
    case elaborator::Codec::pcma:
      return fmt::format("audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay {}", rtp);
  }
  return {};
}

// What the sender encodes: the settings' file, raw video or test pattern; for audio, the file or a sine.
inline std::string media_to_send(const SenderSettings& s) {
  if (elaborator::media_of(s.codec) == elaborator::Media::audio) {
    if (!s.file.empty()) return fmt::format("filesrc location=\"{}\" ! decodebin", s.file);
    return fmt::format("audiotestsrc num-buffers={} is-live={} wave=sine freq={} volume={} samplesperbuffer=480 ! "
                       "audio/x-raw,rate=48000,channels=1",
                       s.frames, s.live ? "true" : "false", s.sine_hz, s.sine_volume);
  }
  if (!s.raw_video.empty()) return s.raw_video;
  if (!s.file.empty()) return fmt::format("filesrc location=\"{}\" ! decodebin ! videoconvert", s.file);
  return fmt::format("videotestsrc num-buffers={} is-live={} pattern=ball ! "
                     "capsfilter name=size caps=video/x-raw,width={},height={},framerate={}/1",
                     s.frames, s.live ? "true" : "false", s.width, s.height, s.fps);
}

class RtpSender {
 public:
  RtpSender(std::uint16_t port, const SenderSettings& s) {
    elaborator::detail::ensure_gstreamer();
    const std::string description =
        fmt::format("{} ! {} ! identity drop-probability={} ! udpsink host=127.0.0.1 port={} bind-address={} sync={}",
                    media_to_send(s),
                    encoder_and_payloader(s), s.drop_probability, port, s.from,
                    s.live ? "true" : "false");
    GError* error = nullptr;
    pipeline_ = gst_parse_launch(description.c_str(), &error);
    if (error != nullptr) {
      const std::string message = error->message;
      g_clear_error(&error);
      throw std::runtime_error("sender pipeline: " + message);
    }
    gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  }

  ~RtpSender() {
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    gst_object_unref(pipeline_);
  }
  RtpSender(const RtpSender&) = delete;
  RtpSender& operator=(const RtpSender&) = delete;

  // Changes the test pattern's size mid-stream: the encoder starts again at the new size, same RTP stream.
  void resize(int width, int height) {
    GstElement* size = gst_bin_get_by_name(GST_BIN(pipeline_), "size");
    GstCaps* caps = gst_caps_from_string(fmt::format("video/x-raw,width={},height={},framerate=30/1", width, height).c_str());
    g_object_set(size, "caps", caps, nullptr);
    gst_caps_unref(caps);
    gst_object_unref(size);
  }

  // Waits until every frame was sent; false on error or timeout.
  bool wait_until_sent(std::chrono::seconds timeout) {
    GstBus* bus = gst_element_get_bus(pipeline_);
    GstMessage* message = gst_bus_timed_pop_filtered(bus, static_cast<GstClockTime>(timeout.count()) * GST_SECOND,
                                                     static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    const bool sent = message != nullptr && GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS;
    if (message != nullptr) gst_message_unref(message);
    gst_object_unref(bus);
    return sent;
  }

 private:
  GstElement* pipeline_ = nullptr;
};

// Runs a gst-launch description to its end (a file written, say); throws if it fails or takes over 30 s.
inline void run_pipeline(const std::string& description) {
  elaborator::detail::ensure_gstreamer();
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &error);
  if (error != nullptr) {
    const std::string message = error->message;
    g_clear_error(&error);
    throw std::runtime_error("pipeline: " + message);
  }
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* end = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND,
                                               static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const bool ended = end != nullptr && GST_MESSAGE_TYPE(end) == GST_MESSAGE_EOS;
  if (end != nullptr) gst_message_unref(end);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  if (!ended) throw std::runtime_error("pipeline did not run to its end: " + description);
}

}  // namespace test_support
