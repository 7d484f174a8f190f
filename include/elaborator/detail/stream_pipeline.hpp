#pragma once
// A stream's GStreamer pipeline, built from its source: the description parsed (pipeline_description.hpp),
// the appsink set up for I420 pictures or PCM audio, each sample handed over as it comes (on_sample), and for RTP a UDP socket
// of our own given to udpsrc, so that a port in use is an error at once and the port stays ours while the
// pipeline restarts. Stream (stream.hpp) runs it; nothing here runs a thread of its own.

#include "../error.hpp"
#include "../source.hpp"
#include "gst.hpp"
#include "pipeline_description.hpp"
#include "udp_socket.hpp"

#include <fmt/core.h>
#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace elaborator::detail {

class StreamPipeline {
 public:
  // Builds the pipeline, stopped. Throws elaborator::Error for what a user must fix: a pipeline that does not
  // parse or has no appsink, a port in use.
  StreamPipeline(const Source& source, std::string stream_id) : stream_id_(std::move(stream_id)) {
    ensure_gstreamer();
    parse(source);
    configure_appsink(source);
    if (const auto* rtp = std::get_if<RtpSource>(&source)) configure_rtp(*rtp);
    if (const auto* file = std::get_if<FileSource>(&source)) {
      g_object_set(element(filesrc_name).get(), "location", file->path.c_str(), nullptr);
    }
  }

  ~StreamPipeline() { stop(); }
  StreamPipeline(const StreamPipeline&) = delete;
  StreamPipeline& operator=(const StreamPipeline&) = delete;

  // Throws elaborator::Error with GStreamer's reason (a file that does not exist, say).
  void play(const std::string& what) {
    std::string reason;
    if (resume(reason)) return;
    halt();
    throw Error(fmt::format("stream {}: cannot start {}: {}", stream_id_, what, reason));
  }

  // A live pipeline that failed is halted (set back to NULL), then resumed on the same socket; resume()
  // returns false, with GStreamer's reason in `reason`, if it does not start.
  void halt() { gst_element_set_state(pipeline_.get(), GST_STATE_NULL); }

  bool resume(std::string& reason) {
    if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE) return true;
    reason = pending_error(pipeline_.get());
    return false;
  }

  // Releases what it holds: the pipeline stops, the RTP port is free again. Idempotent.
  void stop() {
    if (pipeline_) halt();
    if (rtp_socket_) g_socket_close(rtp_socket_.get(), nullptr);  // udpsrc still holds it: close, not only unref
    rtp_socket_.reset();
  }

  // Calls `deliver` with each decoded picture or buffer of PCM, on the streaming thread that decoded it (no
  // hand-over to another thread, no queue). Before play().
  void on_sample(void (*deliver)(SamplePtr, void*), void* data) {
    deliver_ = deliver;
    deliver_data_ = data;
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = &StreamPipeline::new_sample;
    gst_app_sink_set_callbacks(GST_APP_SINK(appsink_.get()), &callbacks, this, nullptr);
  }

  // The next error, warning or end of stream on the bus, waiting at most `timeout` (or until wake()):
  // none if there was none.
  MessagePtr wait_message(std::chrono::milliseconds timeout) {
    const GstPtr<GstBus> bus(gst_element_get_bus(pipeline_.get()));
    constexpr auto wanted = static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_WARNING | GST_MESSAGE_EOS |
                                                        GST_MESSAGE_APPLICATION);
    MessagePtr message(gst_bus_timed_pop_filtered(bus.get(), static_cast<GstClockTime>(timeout.count()) * GST_MSECOND,
                                                  wanted));
    return message && GST_MESSAGE_TYPE(message.get()) == GST_MESSAGE_APPLICATION ? MessagePtr() : std::move(message);
  }

  // Ends a wait_message() in progress at once.
  void wake() {
    gst_element_post_message(pipeline_.get(),
                             gst_message_new_application(GST_OBJECT(pipeline_.get()), gst_structure_new_empty("wake")));
  }

  [[nodiscard]] GstPtr<GstElement> element(const char* name) const {
    return GstPtr<GstElement>(gst_bin_get_by_name(GST_BIN(pipeline_.get()), name));
  }

  // The UDP port an RTP source listens on: the one asked for, or the one the OS picked for port 0.
  [[nodiscard]] std::uint16_t port() const { return bound_port_; }

 private:
  void parse(const Source& source) {
    struct Describer {
      std::string operator()(const RtpSource& s) const { return rtp_pipeline(s); }
      std::string operator()(const PipelineSource& s) const { return s.launch; }
      std::string operator()(const FileSource& s) const { return file_pipeline(s); }
    };
    const std::string description = std::visit(Describer{}, source);
    GError* error = nullptr;
    GstElement* pipeline = gst_parse_launch_full(description.c_str(), nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &error);
    if (error != nullptr) {
      const std::string reason = error->message;
      g_clear_error(&error);
      if (pipeline != nullptr) gst_object_unref(pipeline);
      throw Error(fmt::format("stream {}: invalid pipeline '{}': {}", stream_id_, description, reason));
    }
    // A description of a single element parses to that element, not a bin: wrap it so lookups work.
    if (!GST_IS_BIN(pipeline)) {
      GstElement* bin = gst_pipeline_new(nullptr);
      gst_bin_add(GST_BIN(bin), pipeline);
      pipeline = bin;
    }
    pipeline_.reset(pipeline);
  }

  void configure_appsink(const Source& source) {
    const bool user_pipeline = std::holds_alternative<PipelineSource>(source);
    appsink_ = element(user_pipeline ? user_appsink_name : appsink_name);
    if (!appsink_ || !GST_IS_APP_SINK(appsink_.get())) {
      throw Error(fmt::format("stream {}: the pipeline has no appsink named '{}'; end it with "
                              "'! videoconvert ! appsink name={}'",
                              stream_id_, user_appsink_name, user_appsink_name));
    }
    const auto* file = std::get_if<FileSource>(&source);
    const std::string wanted =
        media_of(source) == Media::video ? "video/x-raw,format=I420" : audio_caps(audio_format_of(source));
    GstCaps* caps = gst_caps_from_string(wanted.c_str());
    gst_app_sink_set_caps(GST_APP_SINK(appsink_.get()), caps);
    gst_caps_unref(caps);
    // Samples are taken as they come (on_sample), so none waits here: the decoder waits, for a source that
    // is not live, only while a subscriber does.
    if (file != nullptr) {
      g_object_set(appsink_.get(), "sync", file->realtime ? TRUE : FALSE, nullptr);
    } else if (!user_pipeline) {
      g_object_set(appsink_.get(), "sync", FALSE, nullptr);
    }
  }

  void configure_rtp(const RtpSource& rtp) {
    GstCaps* caps = gst_caps_from_string(rtp_caps(rtp).c_str());
    // A port in use is a ConflictError here, at once.
    g_object_set(element(udpsrc_name).get(), "socket", bind_rtp_socket(rtp), "close-socket", FALSE, "caps", caps,
                 nullptr);
    gst_caps_unref(caps);
  }

  GSocket* bind_rtp_socket(const RtpSource& rtp) {
    std::uint16_t bound = 0;
    const int fd = bind_udp_socket("rtp", rtp.bind_address, rtp.port, bound);
    GError* error = nullptr;
    GSocket* socket = g_socket_new_from_fd(fd, &error);
    if (socket == nullptr) {
      const std::string reason = error != nullptr ? error->message : "?";
      g_clear_error(&error);
      ::close(fd);
      throw Error(fmt::format("stream {}: rtp socket: {}", stream_id_, reason));
    }
    rtp_socket_.reset(socket);
    bound_port_ = bound;
    return socket;
  }

  static GstFlowReturn new_sample(GstAppSink* appsink, gpointer self) {
    auto* pipeline = static_cast<StreamPipeline*>(self);
    if (SamplePtr sample{gst_app_sink_pull_sample(appsink)}) pipeline->deliver_(std::move(sample), pipeline->deliver_data_);
    return GST_FLOW_OK;
  }

  std::string stream_id_;
  void (*deliver_)(SamplePtr, void*) = nullptr;
  void* deliver_data_ = nullptr;
  GObjectPtr<GSocket> rtp_socket_;  // RTP sources: the socket udpsrc receives on
  GstPtr<GstElement> pipeline_;
  GstPtr<GstElement> appsink_;
  std::uint16_t bound_port_ = 0;
};

}  // namespace elaborator::detail
