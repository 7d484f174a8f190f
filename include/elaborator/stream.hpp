#pragma once
// One video stream, received and decoded once, whatever number of elaborations run on it.
//
// A Stream owns a GStreamer pipeline that ends in an appsink and a thread that pulls decoded pictures from
// it and hands each one to every subscriber. For RTP sources it also inspects every packet on arrival
// (before the jitter buffer): packets that are not RTP or carry another payload type are dropped and
// counted, and the arrival time of each frame's first packet is remembered so results can report the
// latency from the network to the result.
//
// Nothing on the network can stop it: undecodable data is counted as decode errors, and a pipeline that
// fails on a live source is rebuilt (counted as a restart).
//
// Keyframes: a decoder can start only at a keyframe, and a Janus rtp_forward of a WebRTC publisher sends one
// only when asked. With an RTCP port (RtpSource::rtcp_port) the stream asks the sender for one (RTCP PLI,
// see detail/keyframe_requester.hpp) at start, when no frame was decoded for stall_timeout (also before the
// first), on a new sender (SSRC), on decoder errors, and when the depayloader or decoder lost sync.

#include "clock.hpp"
#include "detail/gst.hpp"
#include "detail/keyframe_requester.hpp"
#include "detail/log.hpp"
#include "detail/mapped_sample.hpp"
#include "detail/picture.hpp"
#include "detail/pipeline_description.hpp"
#include "detail/rtp_header.hpp"
#include "detail/rtp_timeline.hpp"
#include "detail/udp_socket.hpp"
#include "error.hpp"
#include "source.hpp"
#include "stats.hpp"

#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/net/gstnetaddressmeta.h>
#include <gst/video/video.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace elaborator {

// Receives a stream's pictures, on the stream's thread. on_picture() must return quickly for a live stream
// (queue the picture, never classify in it); for a stream that is not live it may wait, which slows the
// stream down instead of losing frames. A subscriber that waits must stop waiting before it unsubscribes
// (an elaboration closes its queue first): unsubscribe() waits for a call to that subscriber in progress.
class StreamSubscriber {
 public:
  virtual ~StreamSubscriber() = default;
  virtual void on_picture(const std::shared_ptr<const detail::Picture>& picture, bool live) = 0;
  virtual void on_stream_end() = 0;
};

class Stream {
 public:
  // No decoded frame for this long is a stall: counted, logged, and a keyframe is requested again.
  static constexpr auto stall_timeout = std::chrono::seconds(2);

  explicit Stream(Source source, std::string id = "stream") : source_(std::move(source)), id_(std::move(id)) {}

  ~Stream() { stop(); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Subscribers come and go at any time, before start() or while the stream runs: one that joins a running
  // stream gets the next picture decoded; one that joins a stream that has ended is told so at once.
  void subscribe(StreamSubscriber& subscriber) {
    const std::lock_guard lock(subscribers_mutex_);
    subscribers_.push_back(&subscriber);
    if (ended_.load()) subscriber.on_stream_end();
  }

  // After it returns, the subscriber is never called again. It waits for a call to this subscriber in
  // progress, never for one to another (which may wait for room in its queue). Not from a subscriber.
  void unsubscribe(StreamSubscriber& subscriber) {
    std::unique_lock lock(subscribers_mutex_);
    std::erase(subscribers_, &subscriber);
    delivered_.wait(lock, [&] { return calling_ != &subscriber; });
  }

  // Builds the pipeline and starts receiving. Throws elaborator::Error for what a user must fix: a pipeline
  // that does not parse, a port in use, a file that does not exist.
  void start() {
    if (receiver_.joinable()) throw Error(fmt::format("stream {}: already started", id_));
    detail::ensure_gstreamer();
    build_pipeline();
    start_keyframe_requests();
    if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      const std::string reason = detail::pending_error(pipeline_.get());
      gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
      throw Error(fmt::format("stream {}: cannot start {}: {}", id_, describe(source_), reason));
    }
    detail::log("stream {}: receiving {}", id_, describe(source()));
    receiver_ = std::jthread([this](std::stop_token stop) { receive(stop); });
  }

  // Stops receiving and releases the pipeline. Safe to call more than once, and from any thread but the
  // stream's own (that is, not from a subscriber).
  void stop() {
    if (receiver_.joinable()) {
      receiver_.request_stop();
      receiver_.join();
    }
    if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    if (rtp_socket_) g_socket_close(rtp_socket_.get(), nullptr);  // udpsrc still holds it: close, not only unref
    rtp_socket_.reset();  // the port is free again
    if (keyframes_) keyframes_->stop();
  }

  [[nodiscard]] const std::string& id() const { return id_; }
  [[nodiscard]] bool live() const { return is_live(source_); }
  [[nodiscard]] bool ended() const { return ended_.load(); }

  // The UDP port an RTP source listens on: the one asked for, or the one the OS picked for port 0.
  [[nodiscard]] std::uint16_t port() const { return bound_port_.load(); }

  // The UDP port the stream listens on for the sender's RTCP, or 0 without one.
  [[nodiscard]] std::uint16_t rtcp_port() const {
    const auto* keyframes = keyframes_seen_.load();
    return keyframes != nullptr ? keyframes->port() : 0;
  }

  // The source as it runs: for RTP on port 0, with the port the OS picked.
  [[nodiscard]] Source source() const {
    Source running = source_;
    if (auto* rtp = std::get_if<RtpSource>(&running)) {
      rtp->port = bound_port_.load();
      if (const auto* keyframes = keyframes_seen_.load()) rtp->rtcp_port = keyframes->port();
    }
    return running;
  }

  [[nodiscard]] StreamStats stats() const {
    StreamStats s;
    s.id = id_;
    s.packets_received = packets_received_.load();
    s.packets_rejected = packets_rejected_.load();
    s.packets_lost = packets_lost_.load();
    s.frames_received = frames_received_.load();
    s.frames_decoded = frames_decoded_.load();
    s.decode_errors = decode_errors_.load();
    s.pipeline_restarts = pipeline_restarts_.load();
    s.ssrc_changes = ssrc_changes_.load();
    s.stalls = stalls_.load();
    if (const auto* keyframes = keyframes_seen_.load()) {
      s.keyframe_requests = keyframes->plis_sent();
      s.rtcp_packets = keyframes->rtcp_received();
      s.rtcp_rejected = keyframes->rtcp_rejected();
    }
    s.ended = ended_.load();
    return s;
  }

 private:
  static constexpr auto pull_timeout = std::chrono::milliseconds(50);
  static constexpr auto restart_delay = std::chrono::milliseconds(500);

  void build_pipeline() {
    struct Describer {
      std::string operator()(const RtpSource& s) const { return detail::rtp_pipeline(s); }
      std::string operator()(const PipelineSource& s) const { return s.launch; }
      std::string operator()(const FileSource&) const { return detail::file_pipeline(); }
    };
    const std::string description = std::visit(Describer{}, source_);
    GError* error = nullptr;
    GstElement* pipeline = gst_parse_launch_full(description.c_str(), nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &error);
    if (error != nullptr) {
      const std::string reason = error->message;
      g_clear_error(&error);
      if (pipeline != nullptr) gst_object_unref(pipeline);
      throw Error(fmt::format("stream {}: invalid pipeline '{}': {}", id_, description, reason));
    }
    // A description of a single element parses to that element, not a bin: wrap it so lookups work.
    if (!GST_IS_BIN(pipeline)) {
      GstElement* bin = gst_pipeline_new(nullptr);
      gst_bin_add(GST_BIN(bin), pipeline);
      pipeline = bin;
    }
    pipeline_.reset(pipeline);
    configure_appsink();
    if (const auto* rtp = std::get_if<RtpSource>(&source_)) configure_rtp(*rtp);
    if (const auto* file = std::get_if<FileSource>(&source_)) {
      g_object_set(element(detail::filesrc_name).get(), "location", file->path.c_str(), nullptr);
    }
  }

  detail::GstPtr<GstElement> element(const char* name) const {
    return detail::GstPtr<GstElement>(gst_bin_get_by_name(GST_BIN(pipeline_.get()), name));
  }

  void start_keyframe_requests() {
    const auto* rtp = std::get_if<RtpSource>(&source_);
    if (rtp == nullptr || !rtp->rtcp_port) return;
    keyframes_ = std::make_unique<detail::KeyframeRequester>(rtp->bind_address, *rtp->rtcp_port, id_);
    keyframes_seen_.store(keyframes_.get());
    keyframes_->request("start");
  }

  void request_keyframe(const char* reason) {
    if (keyframes_) keyframes_->request(reason);
  }

  void configure_appsink() {
    const bool user_pipeline = std::holds_alternative<PipelineSource>(source_);
    appsink_ = element(user_pipeline ? detail::user_appsink_name : detail::appsink_name);
    if (!appsink_ || !GST_IS_APP_SINK(appsink_.get())) {
      throw Error(fmt::format("stream {}: the pipeline has no appsink named '{}'; end it with "
                              "'! videoconvert ! appsink name={}'",
                              id_, detail::user_appsink_name, detail::user_appsink_name));
    }
    GstCaps* caps = gst_caps_from_string("video/x-raw,format=I420");
    gst_app_sink_set_caps(GST_APP_SINK(appsink_.get()), caps);
    gst_caps_unref(caps);
    // Live: a few pictures at most wait in the appsink (the newest win); not live: the decoder waits for us.
    gst_app_sink_set_max_buffers(GST_APP_SINK(appsink_.get()), live() ? 8 : 2);
    gst_app_sink_set_drop(GST_APP_SINK(appsink_.get()), live() ? TRUE : FALSE);
    if (const auto* file = std::get_if<FileSource>(&source_)) {
      g_object_set(appsink_.get(), "sync", file->realtime ? TRUE : FALSE, nullptr);
    } else if (!user_pipeline) {
      g_object_set(appsink_.get(), "sync", FALSE, nullptr);
    }
  }

  void configure_rtp(const RtpSource& rtp) {
    const auto udpsrc = element(detail::udpsrc_name);
    GstCaps* caps = gst_caps_from_string(detail::rtp_caps(rtp).c_str());
    // udpsrc gets a socket of ours: a port in use is a ConflictError here, at once, and the port stays ours
    // while the pipeline restarts; stop() closes it.
    g_object_set(udpsrc.get(), "socket", bind_rtp_socket(rtp), "close-socket", FALSE, "caps", caps, nullptr);
    gst_caps_unref(caps);
    const detail::GstPtr<GstPad> packets(gst_element_get_static_pad(udpsrc.get(), "src"));
    gst_pad_add_probe(packets.get(), GST_PAD_PROBE_TYPE_BUFFER, &Stream::on_packet, this, nullptr);
    gst_pad_add_probe(packets.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, &Stream::on_upstream_event, this, nullptr);
    const detail::GstPtr<GstPad> ordered(gst_element_get_static_pad(element(detail::depayloader_name).get(), "sink"));
    gst_pad_add_probe(ordered.get(), GST_PAD_PROBE_TYPE_BUFFER, &Stream::on_ordered_packet, this, nullptr);
  }

  GSocket* bind_rtp_socket(const RtpSource& rtp) {
    std::uint16_t bound = 0;
    const int fd = detail::bind_udp_socket("rtp", rtp.bind_address, rtp.port, bound);
    GError* error = nullptr;
    GSocket* socket = g_socket_new_from_fd(fd, &error);
    if (socket == nullptr) {
      const std::string reason = error != nullptr ? error->message : "?";
      g_clear_error(&error);
      ::close(fd);
      throw Error(fmt::format("stream {}: rtp socket: {}", id_, reason));
    }
    rtp_socket_.reset(socket);
    bound_port_.store(bound);
    return socket;
  }

  // --- the receiving thread ---

  void receive(const std::stop_token& stop) {
    bool end_of_stream = false;
    last_frame_ = Clock::now();
    while (!stop.stop_requested()) {
      if (live()) watch_for_stall();
      detail::SamplePtr sample(
          gst_app_sink_try_pull_sample(GST_APP_SINK(appsink_.get()), static_cast<GstClockTime>(pull_timeout.count()) * GST_MSECOND));
      if (sample) {
        deliver(std::move(sample));
        continue;
      }
      // The appsink is empty: only now can an end of stream on the bus mean that nothing more will come.
      if (end_of_stream || !handle_bus_messages(end_of_stream)) break;
    }
    if (!stop.stop_requested()) {
      const std::lock_guard lock(subscribers_mutex_);
      ended_.store(true);
      for (auto* subscriber : subscribers_) subscriber->on_stream_end();
    }
  }

  // Returns false when the stream cannot go on (a file that failed); sets end_of_stream on EOS.
  bool handle_bus_messages(bool& end_of_stream) {
    const detail::GstPtr<GstBus> bus(gst_element_get_bus(pipeline_.get()));
    constexpr auto wanted = static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_WARNING | GST_MESSAGE_EOS);
    while (const detail::MessagePtr message{gst_bus_pop_filtered(bus.get(), wanted)}) {
      switch (GST_MESSAGE_TYPE(message.get())) {
        case GST_MESSAGE_WARNING:
          ++decode_errors_;
          warnings_("stream {}: {}", id_, detail::describe_message(message.get()));
          request_keyframe("decode error");
          break;
        case GST_MESSAGE_ERROR:
          ++decode_errors_;
          if (!live()) {
            detail::log("stream {}: {}; the stream ends here", id_, detail::describe_message(message.get()));
            return false;
          }
          errors_("stream {}: {}; restarting the pipeline", id_, detail::describe_message(message.get()));
          restart_pipeline();
          return true;
        case GST_MESSAGE_EOS:
          end_of_stream = true;
          break;
        default:
          break;
      }
    }
    return true;
  }

  // A live pipeline that failed is set back to NULL and started again; the UDP port stays the same.
  void restart_pipeline() {
    ++pipeline_restarts_;
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    std::this_thread::sleep_for(restart_delay);
    timeline_.reset();
    if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      errors_("stream {}: restart failed: {}", id_, detail::pending_error(pipeline_.get()));
    }
  }

  // On the receiving thread: no frame for stall_timeout is a stall; ask for a keyframe each time it lasts
  // that long again, and say when frames come back.
  void watch_for_stall() {
    const TimePoint now = Clock::now();
    if (now - last_frame_ < stall_timeout || now - last_stall_request_ < stall_timeout) return;
    if (!stalled_) {
      stalled_ = true;
      ++stalls_;
      detail::log("stream {}: no frame decoded for {} s{}", id_, stall_timeout.count(),
                  frames_decoded_ == 0 ? " since start" : "");
    }
    last_stall_request_ = now;
    request_keyframe(frames_decoded_ == 0 ? "no keyframe yet" : "stall");
  }

  void deliver(detail::SamplePtr sample) {
    const TimePoint decoded = Clock::now();
    if (stalled_) {
      stalled_ = false;
      detail::log("stream {}: frames again after {:.1f} s", id_, std::chrono::duration<double>(decoded - last_frame_).count());
    }
    last_frame_ = decoded;
    GstBuffer* buffer = gst_sample_get_buffer(sample.get());
    GstCaps* caps = gst_sample_get_caps(sample.get());
    if (buffer == nullptr || caps == nullptr || !update_video_info(caps)) {
      ++decode_errors_;
      warnings_("stream {}: a decoded sample without a buffer or usable caps", id_);
      return;
    }
    detail::PictureInfo info;
    info.index = frames_decoded_++;
    info.stream_id = id_;
    info.arrival = decoded;
    info.decoded = decoded;
    if (GST_BUFFER_PTS_IS_VALID(buffer)) {
      info.pts = std::chrono::nanoseconds(GST_BUFFER_PTS(buffer));
      if (const auto origin = timeline_.find(GST_BUFFER_PTS(buffer))) {
        info.rtp_timestamp = origin->rtp_timestamp;
        info.arrival = origin->arrival;
      }
    }
    auto mapped = std::make_shared<detail::MappedSample>(std::move(sample), video_info_);
    if (!mapped->mapped()) {
      ++decode_errors_;
      warnings_("stream {}: cannot map a decoded picture", id_);
      return;
    }
    auto planes = mapped->planes();
    const auto picture = std::make_shared<const detail::Picture>(std::move(info), std::move(planes), std::move(mapped));
    const bool is_live_stream = live();
    {
      const std::lock_guard lock(subscribers_mutex_);
      delivering_ = subscribers_;
    }
    for (auto* subscriber : delivering_) {
      {
        const std::lock_guard lock(subscribers_mutex_);
        if (std::find(subscribers_.begin(), subscribers_.end(), subscriber) == subscribers_.end()) continue;  // just left
        calling_ = subscriber;
      }
      subscriber->on_picture(picture, is_live_stream);  // without the lock: it may wait, for a stream not live
      {
        const std::lock_guard lock(subscribers_mutex_);
        calling_ = nullptr;
      }
      delivered_.notify_all();
    }
  }

  // Caps change only with the resolution: parse them again only then.
  bool update_video_info(GstCaps* caps) {
    if (caps == video_caps_.get()) return true;
    if (gst_video_info_from_caps(&video_info_, caps) == FALSE) return false;
    video_caps_.reset(gst_caps_ref(caps));
    return true;
  }

  // --- pad probes, on GStreamer's streaming threads ---

  static GstPadProbeReturn on_packet(GstPad*, GstPadProbeInfo* info, gpointer self) {
    return static_cast<Stream*>(self)->accept_packet(GST_PAD_PROBE_INFO_BUFFER(info)) ? GST_PAD_PROBE_OK
                                                                                       : GST_PAD_PROBE_DROP;
  }

  // Force-key-unit events from the depayloader (lost packets) or the decoder (corrupt data) end at udpsrc,
  // which cannot act on them: turn them into a keyframe request to the real sender.
  static GstPadProbeReturn on_upstream_event(GstPad*, GstPadProbeInfo* info, gpointer self) {
    if (gst_video_event_is_force_key_unit(GST_PAD_PROBE_INFO_EVENT(info)) == TRUE) {
      static_cast<Stream*>(self)->request_keyframe("lost packets or a corrupt frame");
    }
    return GST_PAD_PROBE_OK;
  }

  static GstPadProbeReturn on_ordered_packet(GstPad*, GstPadProbeInfo* info, gpointer self) {
    static_cast<Stream*>(self)->note_pts(GST_PAD_PROBE_INFO_BUFFER(info));
    return GST_PAD_PROBE_OK;
  }

  static std::optional<detail::RtpHeader> parse_buffer(GstBuffer* buffer) {
    GstMapInfo map;
    if (buffer == nullptr || gst_buffer_map(buffer, &map, GST_MAP_READ) == FALSE) return std::nullopt;
    auto header = detail::parse_rtp_header(std::span<const std::uint8_t>(map.data, map.size));
    gst_buffer_unmap(buffer, &map);
    return header;
  }

  // The sender's IP address, as udpsrc records it on each buffer.
  static std::string sender_of(GstBuffer* buffer) {
    GstNetAddressMeta* meta = gst_buffer_get_net_address_meta(buffer);
    if (meta == nullptr || !G_IS_INET_SOCKET_ADDRESS(meta->addr)) return {};
    GInetAddress* address = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(meta->addr));
    gchar* text = g_inet_address_to_string(address);
    std::string sender = text != nullptr ? text : "";
    g_free(text);
    return sender;
  }

  bool accept_packet(GstBuffer* buffer) {
    const auto& rtp = std::get<RtpSource>(source_);
    if (!rtp.allowed_sender.empty()) {
      if (const std::string sender = sender_of(buffer); sender != rtp.allowed_sender) {
        ++packets_rejected_;
        rejections_("stream {}: rejected a packet from {}, not from the allowed sender {}", id_,
                    sender.empty() ? "an unknown address" : sender, rtp.allowed_sender);
        return false;
      }
    }
    const auto header = parse_buffer(buffer);
    if (!header || header->payload_type != rtp.payload_type) {
      ++packets_rejected_;
      rejections_("stream {}: rejected a packet that is {}", id_,
                  header ? fmt::format("of payload type {}, not {}", header->payload_type, rtp.payload_type)
                         : std::string("not RTP"));
      return false;
    }
    ++packets_received_;
    if (!ssrc_ || *ssrc_ != header->ssrc) {
      if (ssrc_) {
        ++ssrc_changes_;
        detail::log("stream {}: the sender changed (SSRC {:08x} -> {:08x})", id_, *ssrc_, header->ssrc);
        timeline_.reset();
        request_keyframe("new sender");
      }
      ssrc_ = header->ssrc;
      next_sequence_.reset();
      if (keyframes_) keyframes_->set_media_ssrc(header->ssrc);
    }
    count_losses(header->sequence);
    timeline_.note_packet(header->timestamp, Clock::now());
    // The marker bit ends a video frame (RFC 3551, 7587, 6184). Counting distinct timestamps would not do:
    // some encoders give two frames the same timestamp.
    if (header->marker) ++frames_received_;
    return true;
  }

  // Sequence numbers skipped ahead of the next expected one are lost packets. A packet a little behind is
  // late or a duplicate; a jump far either way is a sender that started again: follow it, count nothing.
  void count_losses(std::uint16_t sequence) {
    constexpr std::uint16_t largest_gap = 3000;
    if (next_sequence_) {
      const auto ahead = static_cast<std::uint16_t>(sequence - *next_sequence_);
      if (ahead > 0x10000 - largest_gap) return;
      if (ahead < largest_gap) packets_lost_ += ahead;
    }
    next_sequence_ = static_cast<std::uint16_t>(sequence + 1);
  }

  void note_pts(GstBuffer* buffer) {
    if (buffer == nullptr || !GST_BUFFER_PTS_IS_VALID(buffer)) return;
    if (const auto header = parse_buffer(buffer)) timeline_.note_pts(GST_BUFFER_PTS(buffer), header->timestamp);
  }

  struct CapsUnref {
    void operator()(GstCaps* caps) const { gst_caps_unref(caps); }
  };

  Source source_;
  std::string id_;
  // The subscribers, and the one being called: unsubscribe() waits on delivered_ until it is not that one.
  std::mutex subscribers_mutex_;
  std::condition_variable delivered_;
  std::vector<StreamSubscriber*> subscribers_;
  StreamSubscriber* calling_ = nullptr;
  std::vector<StreamSubscriber*> delivering_;  // the stream's thread's copy, reused
  detail::GObjectPtr<GSocket> rtp_socket_;  // RTP sources: the socket udpsrc receives on
  detail::GstPtr<GstElement> pipeline_;
  detail::GstPtr<GstElement> appsink_;
  std::unique_ptr<GstCaps, CapsUnref> video_caps_;
  GstVideoInfo video_info_{};
  detail::RtpTimeline timeline_;
  std::optional<std::uint32_t> ssrc_;  // these two only touched by the packet probe's thread
  std::optional<std::uint16_t> next_sequence_;
  std::unique_ptr<detail::KeyframeRequester> keyframes_;  // RTP with an RTCP port only
  // The same, for the statistics: another thread may read them while start() makes it.
  std::atomic<const detail::KeyframeRequester*> keyframes_seen_{nullptr};
  // Only touched by the receiving thread:
  TimePoint last_frame_;
  TimePoint last_stall_request_;
  bool stalled_ = false;
  std::jthread receiver_;

  std::atomic<std::uint16_t> bound_port_{0};
  std::atomic<bool> ended_{false};
  std::atomic<std::uint64_t> packets_received_{0};
  std::atomic<std::uint64_t> packets_rejected_{0};
  std::atomic<std::uint64_t> packets_lost_{0};
  std::atomic<std::uint64_t> frames_received_{0};
  std::atomic<std::uint64_t> frames_decoded_{0};
  std::atomic<std::uint64_t> decode_errors_{0};
  std::atomic<std::uint64_t> pipeline_restarts_{0};
  std::atomic<std::uint64_t> ssrc_changes_{0};
  std::atomic<std::uint64_t> stalls_{0};

  detail::RateLimitedLog warnings_;
  detail::RateLimitedLog errors_;
  detail::RateLimitedLog rejections_;
};

}  // namespace elaborator
