#pragma once
// One video or audio stream, received and decoded once, whatever number of elaborations run on it.
//
// A Stream owns a GStreamer pipeline that ends in an appsink (built by detail/stream_pipeline.hpp). Each
// decoded picture, or buffer of PCM for audio, is handed to every subscriber on the streaming thread that
// decoded it, as it comes: no other thread to wake, no queue between the decoder and the elaborations' own
// queues. A thread of the
// stream's watches the bus (errors, end of stream) and stalls. This file is that delivery and watching.
// For RTP sources every packet is checked on arrival, before the jitter buffer (detail/rtp_packet_check.hpp):
// packets from another sender, not RTP or of another payload type are dropped and counted, and the arrival
// time of each frame's first packet is remembered so results can report the latency from the network to
// the result.
//
// Nothing on the network can stop it: undecodable data is counted as decode errors, and a pipeline that
// fails on a live source is rebuilt (counted as a restart).
//
// Keyframes (video): a decoder can start only at a keyframe, and a Janus rtp_forward of a WebRTC publisher sends one
// only when asked. With an RTCP port (RtpSource::rtcp_port) the stream asks the sender for one (RTCP PLI,
// see detail/keyframe_requester.hpp) at start, when no frame was decoded for stall_timeout (also before the
// first), on a new sender (SSRC), on decoder errors, and when the depayloader or decoder lost sync.

#include "clock.hpp"
#include "detail/audio_chunk.hpp"
#include "detail/gst.hpp"
#include "detail/keyframe_requester.hpp"
#include "detail/log.hpp"
#include "detail/mapped_sample.hpp"
#include "detail/picture.hpp"
#include "detail/rtp_packet_check.hpp"
#include "detail/rtp_timeline.hpp"
#include "detail/stream_pipeline.hpp"
#include "error.hpp"
#include "source.hpp"
#include "stats.hpp"
#include "stream_subscriber.hpp"

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/net/gstnetaddressmeta.h>
#include <gst/video/video.h>

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

class Stream final : public MediaFeed {
 public:
  // No decoded frame (or audio) for this long is a stall: counted, logged, and a keyframe is requested again.
  static constexpr auto stall_timeout = std::chrono::seconds(2);

  // Throws elaborator::Error for a source that cannot be: an audio format out of range, keyframe requests
  // (an RTCP port) for audio.
  explicit Stream(Source source, std::string id = "stream")
      : source_(std::move(source)), id_(std::move(id)), media_(media_of(source_)) {
    if (const auto* rtp = std::get_if<RtpSource>(&source_)) {
      if (media_ == Media::audio && rtp->rtcp_port) {
        throw Error(fmt::format("stream {}: an RTCP port is for keyframe requests, which audio has none of", id_));
      }
      packets_ = std::make_unique<detail::RtpPacketCheck>(rtp->allowed_sender, rtp->payload_type, rtp->codec);
    }
    if (media_ == Media::audio) audio_format_of(source_).validate();
  }

  ~Stream() { stop(); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  void subscribe(StreamSubscriber& subscriber) override {
    const std::lock_guard lock(subscribers_mutex_);
    subscribers_.push_back(&subscriber);
    if (ended_.load()) subscriber.on_stream_end();
  }

  void unsubscribe(StreamSubscriber& subscriber) override {
    std::unique_lock lock(subscribers_mutex_);
    std::erase(subscribers_, &subscriber);
    delivered_.wait(lock, [&] { return calling_ != &subscriber; });
  }

  // Builds the pipeline and starts receiving. Throws elaborator::Error for what a user must fix: a pipeline
  // that does not parse, a port in use, a file that does not exist.
  void start() {
    if (watcher_.joinable()) throw Error(fmt::format("stream {}: already started", id_));
    pipeline_ = std::make_unique<detail::StreamPipeline>(source_, id_);
    bound_port_.store(pipeline_->port());
    if (packets_) watch_packets();
    start_keyframe_requests();
    pipeline_->on_sample(&Stream::deliver, this);
    last_frame_.store(Clock::now().time_since_epoch().count());
    pipeline_->play(describe(source_));
    detail::log("stream {}: receiving {}", id_, describe(source()));
    watcher_ = std::jthread([this](std::stop_token stop) { watch(stop); });
  }

  // Stops receiving and releases the pipeline. Safe to call more than once, and from any thread but the
  // stream's streaming thread (that is, not from a subscriber).
  void stop() {
    if (watcher_.joinable()) {
      watcher_.request_stop();
      pipeline_->wake();
      watcher_.join();
    }
    if (pipeline_) pipeline_->stop();  // the port is free again
    if (keyframes_) keyframes_->stop();
  }

  [[nodiscard]] const std::string& id() const { return id_; }
  [[nodiscard]] Media media() const override { return media_; }
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

  [[nodiscard]] StreamStats stats() const override {
    StreamStats s;
    s.id = id_;
    if (packets_) {
      s.packets_received = packets_->packets_received();
      s.packets_rejected = packets_->packets_rejected();
      s.packets_lost = packets_->packets_lost();
      s.frames_received = packets_->frames_received();
      s.ssrc_changes = packets_->ssrc_changes();
    }
    s.frames_decoded = frames_decoded_.load();
    s.decode_errors = decode_errors_.load();
    s.pipeline_restarts = pipeline_restarts_.load();
    s.stalls = stalls_.load();
    if (const auto* keyframes = keyframes_seen_.load()) {
      s.keyframe_requests = keyframes->plis_sent();
      s.rtcp_packets = keyframes->rtcp_received();
      s.rtcp_rejected = keyframes->rtcp_rejected();
    }
    s.ended = ended_.load();
    s.audio = media_ == Media::audio;
    return s;
  }

 private:
  static constexpr auto restart_delay = std::chrono::milliseconds(500);

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

  // Every packet is checked on arrival (before the jitter buffer), and the depayloader's ordered packets give
  // each frame's PTS its RTP timestamp. Force-key-unit events from the depayloader or decoder end at udpsrc.
  void watch_packets() {
    const detail::GstPtr<GstPad> arriving(
        gst_element_get_static_pad(pipeline_->element(detail::udpsrc_name).get(), "src"));
    gst_pad_add_probe(arriving.get(), GST_PAD_PROBE_TYPE_BUFFER, &Stream::on_packet, this, nullptr);
    gst_pad_add_probe(arriving.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, &Stream::on_upstream_event, this, nullptr);
    const detail::GstPtr<GstPad> ordered(
        gst_element_get_static_pad(pipeline_->element(detail::depayloader_name).get(), "sink"));
    gst_pad_add_probe(ordered.get(), GST_PAD_PROBE_TYPE_BUFFER, &Stream::on_ordered_packet, this, nullptr);
  }

  // --- the watching thread: the bus and stalls ---

  void watch(const std::stop_token& stop) {
    bool can_go_on = true;
    bool end_of_stream = false;
    while (!stop.stop_requested() && can_go_on && !end_of_stream) {
      if (live()) watch_for_stall();
      if (const detail::MessagePtr message = pipeline_->wait_message(until_stall_check())) {
        can_go_on = handle(message.get(), end_of_stream);
      }
    }
    // The pictures are delivered on the streaming thread before its end of stream reaches the bus: none is left.
    if (!stop.stop_requested()) {
      const std::lock_guard lock(subscribers_mutex_);
      ended_.store(true);
      for (auto* subscriber : subscribers_) subscriber->on_stream_end();
    }
  }

  // Returns false when the stream cannot go on (a file that failed); sets end_of_stream on EOS.
  bool handle(GstMessage* message, bool& end_of_stream) {
    switch (GST_MESSAGE_TYPE(message)) {
      case GST_MESSAGE_WARNING:
        ++decode_errors_;
        warnings_("stream {}: {}", id_, detail::describe_message(message));
        request_keyframe("decode error");
        return true;
      case GST_MESSAGE_ERROR:
        ++decode_errors_;
        if (!live()) {
          detail::log("stream {}: {}; the stream ends here", id_, detail::describe_message(message));
          return false;
        }
        errors_("stream {}: {}; restarting the pipeline", id_, detail::describe_message(message));
        restart_pipeline();
        return true;
      case GST_MESSAGE_EOS:
        end_of_stream = true;
        return true;
      default:
        return true;
    }
  }

  // A live pipeline that failed is set back to NULL and started again; the UDP port stays the same.
  void restart_pipeline() {
    ++pipeline_restarts_;
    pipeline_->halt();
    std::this_thread::sleep_for(restart_delay);
    timeline_.reset();
    if (std::string reason; !pipeline_->resume(reason)) errors_("stream {}: restart failed: {}", id_, reason);
  }

  // How long the watching thread may wait on the bus: until a stall could begin (it wakes then, not
  // periodically: a process with many streams should not wake for each of them several times a second).
  [[nodiscard]] std::chrono::milliseconds until_stall_check() const {
    if (!live()) return stall_timeout;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(stall_due() - Clock::now());
    return std::clamp(left, std::chrono::milliseconds(1), std::chrono::milliseconds(stall_timeout));
  }

  // When the stream is stalled if no frame comes before: stall_timeout after the last frame, and as long as
  // it lasts, stall_timeout after the last request for a keyframe.
  [[nodiscard]] TimePoint stall_due() const { return std::max(last_frame(), last_stall_request_) + stall_timeout; }

  // No frame for stall_timeout is a stall; ask for a keyframe each time it lasts that long again. deliver()
  // says when frames come back.
  void watch_for_stall() {
    const TimePoint now = Clock::now();
    if (now < stall_due()) return;
    if (!stalled_.exchange(true)) {
      ++stalls_;
      detail::log("stream {}: no {} decoded for {} s{}", id_, media_ == Media::audio ? "audio" : "frame", stall_timeout.count(),
                  frames_decoded_ == 0 ? " since start" : "");
    }
    last_stall_request_ = now;
    request_keyframe(frames_decoded_ == 0 ? "no keyframe yet" : "stall");
  }

  [[nodiscard]] TimePoint last_frame() const { return TimePoint(Clock::duration(last_frame_.load())); }

  // --- on GStreamer's streaming thread: each decoded picture or buffer of PCM, to every subscriber ---

  static void deliver(detail::SamplePtr sample, void* self) { static_cast<Stream*>(self)->deliver(std::move(sample)); }

  void deliver(detail::SamplePtr sample) {
    const TimePoint decoded = Clock::now();
    if (stalled_.exchange(false)) {
      detail::log("stream {}: {} again after {:.1f} s", id_, media_ == Media::audio ? "audio" : "frames",
                  std::chrono::duration<double>(decoded - last_frame()).count());
    }
    last_frame_.store(decoded.time_since_epoch().count());
    GstBuffer* buffer = gst_sample_get_buffer(sample.get());
    GstCaps* caps = gst_sample_get_caps(sample.get());
    if (buffer == nullptr || caps == nullptr || (media_ == Media::video && !update_video_info(caps))) {
      ++decode_errors_;
      warnings_("stream {}: a decoded sample without a buffer or usable caps", id_);
      return;
    }
    detail::DecodedInfo info = origin_of(buffer, decoded);
    if (media_ == Media::audio) {
      deliver_audio(std::move(info), buffer);
    } else {
      deliver_picture(std::move(info), std::move(sample));
    }
  }

  // Which decoded unit this is, and where its packets came from (RTP: their timestamp and arrival).
  detail::DecodedInfo origin_of(GstBuffer* buffer, TimePoint decoded) {
    detail::DecodedInfo info;
    info.index = frames_decoded_++;
    info.stream_id = id_;
    info.arrival = decoded;
    info.decoded = decoded;
    if (GST_BUFFER_PTS_IS_VALID(buffer)) {
      info.pts = std::chrono::nanoseconds(GST_BUFFER_PTS(buffer));
      // Audio is resampled after the decoder, so its buffers start between the packets' PTS.
      const auto origin = media_ == Media::audio ? timeline_.find_at_or_before(GST_BUFFER_PTS(buffer))
                                                 : timeline_.find(GST_BUFFER_PTS(buffer));
      if (origin) {
        info.rtp_timestamp = origin->rtp_timestamp;
        info.arrival = origin->arrival;
      }
    }
    return info;
  }

  void deliver_picture(detail::DecodedInfo info, detail::SamplePtr sample) {
    auto mapped = std::make_shared<detail::MappedSample>(std::move(sample), video_info_);
    if (!mapped->mapped()) {
      ++decode_errors_;
      warnings_("stream {}: cannot map a decoded picture", id_);
      return;
    }
    auto planes = mapped->planes();
    const auto picture = std::make_shared<const detail::Picture>(std::move(info), std::move(planes), std::move(mapped));
    to_subscribers([&](StreamSubscriber& subscriber, bool live) { subscriber.on_picture(picture, live); });
  }

  void deliver_audio(detail::DecodedInfo info, GstBuffer* buffer) {
    const AudioFormat format = audio_format_of(source_);
    auto chunk = std::make_shared<detail::AudioChunk>();
    chunk->info = std::move(info);
    chunk->sample_rate = format.sample_rate;
    chunk->channels = format.channels;
    GstMapInfo map;
    if (gst_buffer_map(buffer, &map, GST_MAP_READ) == FALSE) {
      ++decode_errors_;
      warnings_("stream {}: cannot map decoded audio", id_);
      return;
    }
    const auto* samples = reinterpret_cast<const std::int16_t*>(map.data);
    chunk->samples.assign(samples, samples + map.size / sizeof(std::int16_t));
    gst_buffer_unmap(buffer, &map);
    const std::shared_ptr<const detail::AudioChunk> shared = std::move(chunk);
    to_subscribers([&](StreamSubscriber& subscriber, bool live) { subscriber.on_audio(shared, live); });
  }

  // Calls `hand` with each subscriber in turn, without the lock, for a subscriber of a stream that is not
  // live may wait; one that left meanwhile is skipped, and unsubscribe() waits for the call in progress.
  template <class Hand>
  void to_subscribers(Hand&& hand) {
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
      hand(*subscriber, is_live_stream);
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
    return static_cast<Stream*>(self)->accept_packet(info) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
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

  bool accept_packet(GstPadProbeInfo* info) {
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    const std::string sender = packets_->checks_sender() ? sender_of(buffer) : std::string();
    GstMapInfo map{};
    const bool mapped = buffer != nullptr && gst_buffer_map(buffer, &map, GST_MAP_READ) == TRUE;
    const auto verdict = packets_->check(mapped ? std::span<const std::uint8_t>(map.data, map.size)
                                                : std::span<const std::uint8_t>(), sender);
    if (mapped) gst_buffer_unmap(buffer, &map);
    if (!verdict.accepted) {
      rejections_("stream {}: rejected a packet {}", id_, verdict.rejection);
      return false;
    }
    if (verdict.new_ssrc) follow_sender(verdict);
    // A sender after the first goes on from the one before: PacketVerdict::sequence says why.
    if (verdict.renumbered()) GST_PAD_PROBE_INFO_DATA(info) = detail::with_rtp_sequence(buffer, verdict.sequence);
    timeline_.note_packet(verdict.header.timestamp, Clock::now());
    return true;
  }

  // The first sender, or one that started again: its frames are new, and so is the SSRC to ask keyframes of.
  void follow_sender(const detail::PacketVerdict& verdict) {
    if (verdict.previous_ssrc) {
      detail::log("stream {}: the sender changed (SSRC {:08x} -> {:08x})", id_, *verdict.previous_ssrc,
                  verdict.header.ssrc);
      timeline_.reset();
      request_keyframe("new sender");
    }
    if (keyframes_) keyframes_->set_media_ssrc(verdict.header.ssrc);
  }

  void note_pts(GstBuffer* buffer) {
    if (buffer == nullptr || !GST_BUFFER_PTS_IS_VALID(buffer) || timeline_.noted_pts(GST_BUFFER_PTS(buffer))) return;
    if (const auto header = parse_buffer(buffer)) timeline_.note_pts(GST_BUFFER_PTS(buffer), header->timestamp);
  }

  struct CapsUnref {
    void operator()(GstCaps* caps) const { gst_caps_unref(caps); }
  };

  Source source_;
  std::string id_;
  Media media_;
  // The subscribers, and the one being called: unsubscribe() waits on delivered_ until it is not that one.
  std::mutex subscribers_mutex_;
  std::condition_variable delivered_;
  std::vector<StreamSubscriber*> subscribers_;
  StreamSubscriber* calling_ = nullptr;
  std::vector<StreamSubscriber*> delivering_;  // the streaming thread's copy, reused
  // RTP sources: made with the stream, as the statistics read its counters from any thread.
  std::unique_ptr<detail::RtpPacketCheck> packets_;
  std::unique_ptr<detail::StreamPipeline> pipeline_;
  std::unique_ptr<GstCaps, CapsUnref> video_caps_;
  GstVideoInfo video_info_{};
  detail::RtpTimeline timeline_;
  std::unique_ptr<detail::KeyframeRequester> keyframes_;  // RTP with an RTCP port only
  // The same, for the statistics: another thread may read them while start() makes it.
  std::atomic<const detail::KeyframeRequester*> keyframes_seen_{nullptr};
  // When the last picture was decoded (Clock's ticks), and whether the stream is stalled: written by the
  // streaming thread and the watching thread.
  std::atomic<Clock::rep> last_frame_{0};
  std::atomic<bool> stalled_{false};
  TimePoint last_stall_request_;  // the watching thread's own
  std::jthread watcher_;

  std::atomic<std::uint16_t> bound_port_{0};
  std::atomic<bool> ended_{false};
  std::atomic<std::uint64_t> frames_decoded_{0};
  std::atomic<std::uint64_t> decode_errors_{0};
  std::atomic<std::uint64_t> pipeline_restarts_{0};
  std::atomic<std::uint64_t> stalls_{0};

  detail::RateLimitedLog warnings_;
  detail::RateLimitedLog errors_;
  detail::RateLimitedLog rejections_;
};

}  // namespace elaborator
