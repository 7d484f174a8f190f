#pragma once
// Every publisher of some Janus VideoRoom rooms analysed, as publishers come and go, with no one wiring
// anything by hand. A room's elaborations are video or audio ones (what their kind classifies): each
// published video stream (by mid) of a room gets the room's video elaborations, each published audio stream
// its audio elaborations, and a medium the room has no elaborations for is not forwarded at all. For each
// such stream the dispatcher takes ports from its range (five for video, three for audio) and makes, in
// this order:
//   1. a stream in this process (RTP port; for video an RTCP port too) with the room's elaborations of that
//      medium, whose results also go to
//   2. a Streaming mountpoint of its own for the viewers (the same medium, so they see or hear what was
//      analysed; for video its RTCP port; a data port with the last message buffered),
//   3. an rtp_forward of the publisher's stream to the elaborator, for video with rtcp_port (keyframes on
//      request; audio has no keyframes),
//   4. an rtp_forward of the same stream to the mountpoint's media port, for video with rtcp_port
//      (keyframes for viewers who join late).
// An audio stream's mountpoint is its own rather than a data port on its publisher's video mountpoint: a
// publisher may publish audio alone, and every analysed stream is then made, listed, swept and removed the
// same way, whatever its medium. When the publisher unpublishes, leaves or is kicked, all of it goes, in the
// other order, and its ports are free again. A failure half way undoes what was made.
//
// It learns about publishers from Janus's events (offer(), fed by the control API's events endpoint) and
// also reconciles every few seconds against each room's participants and forwards, so a lost event, a
// Janus restart or its own restart converge to the right state. What it makes in Janus it can recognise:
// mountpoints described "elaborator/<instance>/...", forwards to its own host within its own port range;
// whatever else is there is never touched. Every Janus request runs on the dispatcher's own thread: a Janus
// that answers slowly, or with errors, never holds up a frame loop or a request to the control API.
//
// Scale-out: with replicas = N, this process takes the publishers whose stable hash (FNV-1a of room and
// publisher id) modulo N is its replica index, so N processes share a deployment's publishers without two
// taking the same one and without talking to each other.

#include "../config.hpp"
#include "../detail/janus_dispatch.hpp"
#include "../detail/log.hpp"
#include "../detail/port_pool.hpp"
#include "../error.hpp"
#include "../http/secret.hpp"
#include "../service.hpp"
#include "events.hpp"
#include "session.hpp"
#include "streaming.hpp"
#include "videoroom.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

namespace elaborator::janus {

struct DispatchStats {
  std::uint64_t events_received = 0;   // publisher events offered (from authenticated POSTs)
  std::uint64_t events_dropped = 0;    // offered while the queue was full (the next reconcile catches up)
  std::uint64_t events_unknown = 0;    // about a publisher the room does not have (fake, or gone already)
  std::uint64_t publishers_added = 0;  // published streams set up (stream, mountpoint, forwards)
  std::uint64_t publishers_removed = 0;
  std::uint64_t refused_at_limit = 0;  // published streams not analysed: --max-streams reached, or no ports left
  std::uint64_t janus_errors = 0;      // requests Janus refused or did not answer
  std::uint64_t reconciles = 0;
  std::uint64_t stale_removed = 0;     // mountpoints and forwards of ours that nothing runs for any more
  std::uint64_t analysed = 0;          // published streams analysed now
};

class Dispatcher {
 public:
  static constexpr std::size_t max_queued_events = 10000;
  static constexpr std::chrono::milliseconds refresh_interval{250};  // the room's list, asked at most this often

  Dispatcher(Service& service, JanusConfig config, std::vector<RoomConfig> rooms)
      : service_(service), config_(std::move(config)), secrets_(config_.secrets_file), ports_(config_.ports),
        janus_host_(detail::url_host(config_.url)) {
    for (auto& room : rooms) {
      for (const auto& e : room.elaborations) elaborations_[{room.id, service_.kinds().resolve(e.kind).make.media()}].push_back(e);
      rooms_.emplace(room.id, std::move(room));
    }
  }

  ~Dispatcher() { stop(); }
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Starts following the rooms: a reconcile at once, then every config.reconcile and on every event.
  void start() {
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
  }

  // Stops following; what it made in Janus and here is removed (each Janus request bounded by its timeout).
  void stop() {
    if (!thread_.joinable()) return;
    {
      const std::lock_guard lock(mutex_);  // so the thread cannot miss it between its check and its wait
      thread_.request_stop();
    }
    wake_.notify_all();
    thread_.join();
    // One try with a new session: a Janus that is down must not cost a timeout per stream.
    session_.reset();
    const bool janus_answers = [this] {
      try {
        janus();
        return true;
      } catch (const Error&) {
        return false;
      }
    }();
    while (!analysed_.empty()) remove(analysed_.begin()->first, janus_answers ? Undo::everything : Undo::only_here);
  }

  // The publisher events in an event handler's POST body, queued for the dispatcher's thread. Never blocks:
  // when the queue is full they are dropped (counted), and the next reconcile catches up.
  void offer(const nlohmann::json& body) {
    const auto events = publisher_events(body);
    {
      const std::lock_guard lock(mutex_);
      for (const auto& event : events) {
        ++stats_.events_received;
        if (!rooms_.contains(event.room) || !owned(event.room, event.publisher)) continue;
        if (queue_.size() >= max_queued_events) {
          ++stats_.events_dropped;
          continue;
        }
        queue_.push_back(event);
      }
    }
    wake_.notify_all();
  }

  [[nodiscard]] DispatchStats stats() const {
    const std::lock_guard lock(mutex_);
    DispatchStats s = stats_;
    s.analysed = analysed_count_;
    return s;
  }

  // The password Janus's HTTP event handler sends (backend_pwd, user "janus"); empty: events are refused.
  [[nodiscard]] std::string events_secret() const { return secrets_.get("JANUS_EVENTS_SECRET"); }

  // What is analysed, for GET /v1/janus.
  [[nodiscard]] nlohmann::json state() const {
    const std::lock_guard lock(mutex_);
    const DispatchStats& s = stats_;
    return {{"janus", config_.url},
            {"rooms", [this] {
               nlohmann::json ids = nlohmann::json::array();
               for (const auto& [id, room] : rooms_) ids.push_back(id);
               return ids;
             }()},
            {"replica", fmt::format("{}/{}", config_.replica, config_.replicas)},
            {"publishers", published_},
            {"stats",
             {{"events_received", s.events_received}, {"events_dropped", s.events_dropped},
              {"events_unknown", s.events_unknown},
              {"publishers_added", s.publishers_added}, {"publishers_removed", s.publishers_removed},
              {"refused_at_limit", s.refused_at_limit}, {"janus_errors", s.janus_errors},
              {"reconciles", s.reconciles}, {"stale_removed", s.stale_removed}}}};
  }

 private:
  // One published stream: (room, publisher, medium, mid); an empty mid is "its first stream of the medium",
  // what a reconcile knows of a publisher it missed the event of.
  struct Key {
    std::uint64_t room = 0;
    std::uint64_t publisher = 0;
    Media media = Media::video;
    std::string mid;
    auto operator<=>(const Key&) const = default;
  };

  // What each of a stream's ports is for, from the ports taken: RTP, RTCP, mountpoint video, mountpoint
  // data, mountpoint video RTCP for video; RTP, mountpoint audio, mountpoint data for audio (no keyframes).
  struct PortPlan {
    std::uint16_t rtp = 0;
    std::optional<std::uint16_t> rtcp;
    std::uint16_t mountpoint = 0;
    std::uint16_t data = 0;
    std::optional<std::uint16_t> mountpoint_rtcp;

    static std::size_t size(Media media) { return media == Media::video ? 5 : 3; }
    static PortPlan of(Media media, const std::vector<std::uint16_t>& p) {
      if (media == Media::video) return {p[0], p[1], p[2], p[3], p[4]};
      return {p[0], std::nullopt, p[1], p[2], std::nullopt};
    }
  };

  // What was made for one, to unmake it.
  struct Analysed {
    std::string stream_id;
    std::vector<std::uint16_t> ports;  // as PortPlan says
    std::uint64_t mountpoint = 0;
    std::vector<std::uint64_t> forwards;
  };

  // How much of a published stream to undo in Janus: everything; all but its forwards, which went with their
  // publisher (it left, unpublished or was kicked: Janus would refuse to stop them); or nothing, when Janus
  // does not answer at stop (the next start's sweep of stale forwards and mountpoints removes them).
  enum class Undo { everything, all_but_forwards, only_here };

  bool owned(std::uint64_t room, std::uint64_t publisher) const {
    return detail::publisher_hash(room, publisher) % config_.replicas == config_.replica;
  }

  // --- the dispatcher's thread ---

  void run(const std::stop_token& stop) {
    auto next_reconcile = Clock::now();
    while (!stop.stop_requested()) {
      // Whatever a hook or Janus throws (a model that fails to load, a thread that cannot start) costs that
      // publisher its analysis, never the process.
      try {
        if (Clock::now() >= next_reconcile) {
          reconcile();
          next_reconcile = Clock::now() + config_.reconcile;
        }
        if (!deferred_.empty() && Clock::now() >= deferred_since_ + refresh_interval) retry_deferred();
        if (auto event = next_event(stop, next_reconcile)) handle(*event, Attempt::first);
      } catch (const std::exception& e) {
        elaborator::detail::log("dispatcher: {}", e.what());
      }
    }
  }

  // The next queued event, or nothing when it is time to reconcile, to retry deferred events, or to stop.
  std::optional<PublisherEvent> next_event(const std::stop_token& stop, TimePoint next_reconcile) {
    const auto until = deferred_.empty() ? next_reconcile : std::min(next_reconcile, deferred_since_ + refresh_interval);
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, until, [&] { return !queue_.empty() || stop.stop_requested(); });
    if (queue_.empty()) return std::nullopt;
    PublisherEvent event = std::move(queue_.front());
    queue_.pop_front();
    return event;
  }

  // An event about a publisher that the room's list, asked less than refresh_interval ago, did not have yet
  // (publishers joining together at the start of a meeting) waits for the next list, once.
  enum class Attempt { first, retry };

  void retry_deferred() {
    const auto events = std::move(deferred_);
    deferred_.clear();
    for (const auto& event : events) handle(event, Attempt::retry);
  }

  void handle(const PublisherEvent& event, Attempt attempt) {
    if (event.kind == PublisherEvent::Kind::gone) {
      remove_publisher(event.room, event.publisher);
      left_[{event.room, event.publisher}] = Clock::now();
      return;
    }
    left_.erase({event.room, event.publisher});  // it publishes again
    if (!publishing(event.room, event.publisher)) {
      if (attempt == Attempt::first && deferred_.size() < max_queued_events) {
        if (deferred_.empty()) deferred_since_ = publishers_[event.room].asked;
        deferred_.push_back(event);
        return;
      }
      const std::lock_guard lock(mutex_);
      ++stats_.events_unknown;
      return;
    }
    if (analyses(event.room, Media::video)) {
      std::vector<Published> video;
      for (const auto& mid : event.video_mids) video.push_back({mid, default_codec(Media::video)});
      follow(event.room, event.publisher, Media::video, video);
    }
    if (analyses(event.room, Media::audio)) follow(event.room, event.publisher, Media::audio, decodable(event));
  }

  // A published stream of one medium: its mid and codec.
  struct Published {
    std::string mid;
    Codec codec = Codec::vp8;
  };

  // Brings what runs for a publisher's streams of one medium in line with the streams it publishes now.
  void follow(std::uint64_t room, std::uint64_t publisher, Media media, const std::vector<Published>& streams) {
    if (!streams.empty()) unforwardable_.erase({room, publisher, media});
    // A stream set up from a reconcile (mid unknown) is that publisher's only one: keep it if it still is.
    const Key first{room, publisher, media, ""};
    if (analysed_.contains(first) && streams.size() == 1) return;
    if (analysed_.contains(first)) remove(first);
    for (const auto& key : keys_of(room, publisher, media)) {
      if (std::none_of(streams.begin(), streams.end(), [&](const auto& s) { return s.mid == key.mid; })) remove(key);
    }
    for (const auto& stream : streams) add({room, publisher, media, stream.mid}, stream.codec);
  }

  // The publisher's audio streams in a codec this process decodes; the others are logged and left out.
  static std::vector<Published> decodable(const PublisherEvent& event) {
    std::vector<Published> audio;
    for (const auto& stream : event.audio) {
      if (const auto codec = audio_codec(stream.codec)) {
        audio.push_back({stream.mid, *codec});
      } else {
        elaborator::detail::log("room {}: publisher {} (audio {}): not analysed: its codec '{}' is not one this decodes",
                                event.room, event.publisher, stream.mid, stream.codec);
      }
    }
    return audio;
  }

  // The audio codec Janus names so, if this process decodes it (not G.722 or multichannel Opus, say).
  static std::optional<Codec> audio_codec(const std::string& name) {
    try {
      const Codec codec = parse_codec(name);
      return media_of(codec) == Media::audio ? std::optional(codec) : std::nullopt;
    } catch (const Error&) {
      return std::nullopt;  // a name parse_codec does not know
    }
  }

  // Whether the room has this publisher, as Janus last said; asked again (at most every refresh_interval)
  // when it is not there, so a flood of events about publishers that do not exist costs a few requests.
  bool publishing(std::uint64_t room, std::uint64_t publisher) {
    auto& known = publishers_[room];
    if (known.ids.contains(publisher)) return true;
    if (Clock::now() - known.asked < refresh_interval) return false;
    try {
      refresh_publishers(room);
    } catch (const Error& e) {
      janus_failed(e);
    }
    return publishers_[room].ids.contains(publisher);
  }

  // Asks the room's publishers; returns their ids.
  const std::set<std::uint64_t>& refresh_publishers(std::uint64_t room) {
    auto& known = publishers_[room];
    known.asked = Clock::now();
    known.list = list_publishers(janus(), room);
    known.ids.clear();
    for (const auto& p : known.list) known.ids.insert(p.id);
    return known.ids;
  }

  // Compares every room with what runs: adds who publishes and is not analysed, removes what runs for no
  // publisher or lost its forwards (a Janus that restarted), and what is ours in Janus with nothing behind it.
  void reconcile() {
    {
      const std::lock_guard lock(mutex_);
      ++stats_.reconciles;
    }
    // What is gone or stale goes first: its ports and mountpoints are then free for what is added. A room
    // Janus fails on (destroyed, a wrong secret) is left as it is, and the others go on.
    std::set<std::uint64_t> listed;
    for (const auto& [room_id, room] : rooms_) {
      try {
        // Forwards before publishers: a publisher that stops publishing is listed as not publishing before
        // Janus drops its forwards, so in this order one that leaves meanwhile never looks like a publisher
        // that lost its forwards (which would be set up again, and refused, for a publisher already gone).
        const auto forwards = list_forwards(janus(), room_id, secrets_.get("JANUS_ROOM_SECRET"));
        const auto& publishing = refresh_publishers(room_id);
        remove_gone(room_id, publishing, forwards);
        remove_stale_forwards(room_id, publishing, forwards);
        listed.insert(room_id);
      } catch (const Error& e) {
        janus_failed(e);
      }
    }
    try {
      remove_stale_mountpoints();
    } catch (const Error& e) {
      janus_failed(e);
    }
    std::erase_if(left_, [this](const auto& entry) { return Clock::now() - entry.second >= config_.reconcile; });
    for (const auto room_id : listed) {
      for (const auto& p : publishers_[room_id].list) {
        if (!owned(room_id, p.id) || left_.contains({room_id, p.id})) continue;
        for (const Media media : {Media::video, Media::audio}) {
          const bool analysed = !keys_of(room_id, p.id, media).empty();
          if (!analysed && analyses(room_id, media) && !unforwardable_.contains({room_id, p.id, media})) {
            add({room_id, p.id, media, ""}, default_codec(media));
          }
        }
      }
    }
  }

  // What a stream whose codec no event said is taken to be: the VideoRoom's default codecs.
  static Codec default_codec(Media media) { return media == Media::audio ? Codec::opus : Codec::vp8; }

  bool analyses(std::uint64_t room, Media media) const { return elaborations_.contains({room, media}); }

  void remove_gone(std::uint64_t room, const std::set<std::uint64_t>& publishing, const std::vector<ForwardInfo>& forwards) {
    std::erase_if(unforwardable_, [&](const auto& known) {
      return std::get<0>(known) == room && !publishing.contains(std::get<1>(known));
    });
    std::vector<std::pair<Key, Undo>> gone;
    for (const auto& entry : analysed_) {
      const Key& key = entry.first;  // not a structured binding: clang 14 cannot capture one in a lambda
      const Analysed& analysed = entry.second;
      if (key.room != room) continue;
      const bool forwarded = std::all_of(analysed.forwards.begin(), analysed.forwards.end(), [&](std::uint64_t id) {
        return std::any_of(forwards.begin(), forwards.end(), [&](const auto& f) { return f.stream_id == id; });
      });
      if (!publishing.contains(key.publisher)) gone.emplace_back(key, Undo::all_but_forwards);
      else if (!forwarded) gone.emplace_back(key, Undo::everything);
    }
    for (const auto& [key, undo] : gone) remove(key, undo);
  }

  // Forwards to this host within this range that nothing here knows: left by an earlier run of ours. Those
  // of a publisher that no longer publishes went with it (listed before it left).
  void remove_stale_forwards(std::uint64_t room, const std::set<std::uint64_t>& publishing,
                             const std::vector<ForwardInfo>& forwards) {
    for (const auto& f : forwards) {
      if (f.host != config_.host || !ports_.contains(f.port) || known_forward(f.stream_id)) continue;
      if (!publishing.contains(f.publisher_id)) continue;
      best_effort([&] { stop_rtp_forward(janus(), room, f.publisher_id, f.stream_id, secrets_.get("JANUS_ROOM_SECRET")); });
      count_stale();
    }
  }

  void remove_stale_mountpoints() {
    const std::string ours = description_prefix();
    for (const auto& m : list_mountpoints(janus())) {
      if (!m.description.starts_with(ours) || known_mountpoint(m.id)) continue;
      best_effort([&] { destroy_mountpoint(janus(), m.id, ""); });
      count_stale();
    }
  }

  bool known_forward(std::uint64_t stream_id) const {
    return std::any_of(analysed_.begin(), analysed_.end(), [&](const auto& entry) {
      const auto& forwards = entry.second.forwards;
      return std::find(forwards.begin(), forwards.end(), stream_id) != forwards.end();
    });
  }

  bool known_mountpoint(std::uint64_t id) const {
    return std::any_of(analysed_.begin(), analysed_.end(), [&](const auto& entry) { return entry.second.mountpoint == id; });
  }

  // --- making and unmaking one published stream ---

  void add(const Key& key, Codec codec) {
    if (analysed_.contains(key)) return;
    const auto count = PortPlan::size(key.media);
    const auto ports = ports_.take(count);
    if (!ports) {
      return refuse(key, fmt::format("no {} free ports left in {}-{}", count, config_.ports.first, config_.ports.last));
    }
    Analysed made;
    made.ports = *ports;
    made.stream_id = stream_id(key);
    const PortPlan plan = PortPlan::of(key.media, made.ports);
    try {
      service_.add_stream(stream_for(key, codec, plan, made.stream_id));
    } catch (const ConflictError& e) {
      ports_.give_back(made.ports);
      return refuse(key, e.what());
    } catch (const std::exception& e) {  // not only Error: a user's configure() may throw anything
      ports_.give_back(made.ports);
      elaborator::detail::log("room {}: publisher {}: cannot analyse it: {}", key.room, key.publisher, e.what());
      return;
    }
    try {
      made.mountpoint = mountpoint_for(key, codec, plan, made.stream_id).id;
      made.forwards.push_back(forward(key, codec, plan.rtp, plan.rtcp));
      made.forwards.push_back(forward(key, codec, plan.mountpoint, plan.mountpoint_rtcp));
    } catch (const NoMediaError&) {
      elaborator::detail::log("room {}: publisher {} publishes no {}: not analysed until it does", key.room, key.publisher,
                              to_string(key.media));
      unforwardable_.insert({key.room, key.publisher, key.media});
      unmake(key, made);
      return;
    } catch (const Error& e) {
      janus_failed(e);
      unmake(key, made);
      return;
    }
    elaborator::detail::log("room {}: publisher {}{}: analysed as stream {}, mountpoint {}", key.room, key.publisher,
                stream_of(key), made.stream_id, made.mountpoint);
    const std::lock_guard lock(mutex_);
    published_[made.stream_id] = {{"room", key.room}, {"publisher", key.publisher}, {"media", to_string(key.media)},
                                  {"mid", key.mid}, {"mountpoint", made.mountpoint}, {"rtp_port", plan.rtp},
                                  {fmt::format("{}_port", to_string(key.media)), plan.mountpoint}, {"data_port", plan.data}};
    analysed_.emplace(key, std::move(made));
    ++stats_.publishers_added;
    analysed_count_ = analysed_.size();
  }

  // By value: callers pass keys that live in analysed_, which this erases.
  void remove(Key key, Undo undo = Undo::everything) {
    const auto found = analysed_.find(key);
    if (found == analysed_.end()) return;
    Analysed made = std::move(found->second);
    analysed_.erase(found);
    if (undo != Undo::everything) made.forwards.clear();
    if (undo == Undo::only_here) made.mountpoint = 0;
    unmake(key, made);
    elaborator::detail::log("room {}: publisher {}{}: no longer analysed", key.room, key.publisher, stream_of(key));
    const std::lock_guard lock(mutex_);
    published_.erase(made.stream_id);
    ++stats_.publishers_removed;
    analysed_count_ = analysed_.size();
  }

  void remove_publisher(std::uint64_t room, std::uint64_t publisher) {
    for (const auto& key : keys_of(room, publisher)) remove(key, Undo::all_but_forwards);
  }

  // The published streams of one publisher (of one medium, if given) that are analysed, copied: callers
  // remove some of them.
  std::vector<Key> keys_of(std::uint64_t room, std::uint64_t publisher, std::optional<Media> media = std::nullopt) const {
    std::vector<Key> keys;
    for (auto it = analysed_.lower_bound({room, publisher, Media::video, ""});
         it != analysed_.end() && it->first.room == room && it->first.publisher == publisher; ++it) {
      if (!media || it->first.media == *media) keys.push_back(it->first);
    }
    return keys;
  }

  // In the other order than made; what is already gone (a Janus that restarted) is no error.
  void unmake(const Key& key, const Analysed& made) {
    for (const auto id : made.forwards) {
      best_effort([&] { stop_rtp_forward(janus(), key.room, key.publisher, id, secrets_.get("JANUS_ROOM_SECRET")); });
    }
    if (made.mountpoint != 0) best_effort([&] { destroy_mountpoint(janus(), made.mountpoint, ""); });
    try {
      service_.remove_stream(made.stream_id);
    } catch (const NotFoundError&) {
    }
    ports_.give_back(made.ports);
  }

  StreamConfig stream_for(const Key& key, Codec codec, const PortPlan& plan, const std::string& id) const {
    StreamConfig stream;
    stream.id = id;
    RtpSource rtp;
    rtp.bind_address = config_.host;
    rtp.port = plan.rtp;
    rtp.rtcp_port = plan.rtcp;
    rtp.codec = codec;
    rtp.payload_type = default_payload_type(codec);
    stream.source = rtp;
    stream.elaborations = elaborations_.at({key.room, key.media});
    for (auto& e : stream.elaborations) e.sinks.udp.push_back({janus_host_, plan.data});
    return stream;
  }

  Mountpoint mountpoint_for(const Key& key, Codec codec, const PortPlan& plan, const std::string& id) {
    MountpointSpec spec;
    spec.name = id;
    spec.description = fmt::format("{}{}/{}/{}", description_prefix(), key.room, key.publisher, key.mid);
    spec.media_port = plan.mountpoint;
    spec.data_port = plan.data;
    spec.video_rtcp_port = plan.mountpoint_rtcp.value_or(0);
    spec.codec = codec;
    spec.payload_type = default_payload_type(codec);
    spec.admin_key = secrets_.get("JANUS_ADMIN_KEY");
    return create_mountpoint(janus(), spec);
  }

  std::uint64_t forward(const Key& key, Codec codec, std::uint16_t port, std::optional<std::uint16_t> rtcp_port) {
    ForwardSpec spec;
    spec.room = key.room;
    spec.publisher_id = key.publisher;
    spec.secret = secrets_.get("JANUS_ROOM_SECRET");
    spec.host = config_.host;
    spec.port = port;
    spec.rtcp_port = rtcp_port;
    spec.payload_type = default_payload_type(codec);
    spec.media = key.media;
    spec.mid = key.mid;
    return rtp_forward(janus(), spec).stream_id;
  }

  // " (video 0)" or " (audio 1)" for a log line; nothing for a publisher's first video, " (audio)" for its first audio.
  static std::string stream_of(const Key& key) {
    if (key.mid.empty()) return key.media == Media::video ? "" : " (audio)";
    return fmt::format(" ({} {})", to_string(key.media), key.mid);
  }

  // "r1234-p56789-v0" ("-a1" for audio): an id the registry accepts, whatever the mid.
  static std::string stream_id(const Key& key) {
    std::string mid = key.mid.empty() ? "first" : key.mid;
    for (char& c : mid) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
    }
    return fmt::format("r{}-p{}-{}{}", key.room, key.publisher, to_string(key.media).front(), mid.substr(0, 16));
  }

  std::string description_prefix() const { return fmt::format("elaborator/{}/", config_.instance); }

  void refuse(const Key& key, const std::string& why) {
    refusals_("room {}: publisher {} not analysed: {}", key.room, key.publisher, why);
    const std::lock_guard lock(mutex_);
    ++stats_.refused_at_limit;
  }

  void count_stale() {
    const std::lock_guard lock(mutex_);
    ++stats_.stale_removed;
  }

  // A Janus that does not answer, or answers with an error: counted, logged (rate limited), and the session
  // made anew on the next request (Janus may have restarted, and its sessions with it).
  void janus_failed(const Error& e) {
    janus_errors_("Janus: {}", e.what());
    session_.reset();
    const std::lock_guard lock(mutex_);
    ++stats_.janus_errors;
  }

  template <class Request>
  void best_effort(Request request) {
    try {
      request();
    } catch (const Error&) {
      // gone already: Janus restarted, or the publisher left and took its forwards along
    }
  }

  Session& janus() {
    if (!session_) session_.emplace(config_.url);
    return *session_;
  }

  Service& service_;
  const JanusConfig config_;
  const http::NamedSecrets secrets_;
  std::map<std::uint64_t, RoomConfig> rooms_;
  // Each room's elaborations by what they classify; a room and medium without any is not there.
  std::map<std::pair<std::uint64_t, Media>, std::vector<ElaborationConfig>> elaborations_;
  detail::PortPool ports_;       // the dispatcher's thread only
  const std::string janus_host_;
  std::optional<Session> session_;  // the dispatcher's thread only
  std::map<Key, Analysed> analysed_;  // the dispatcher's thread only (and stop(), after it)
  struct KnownPublishers {
    TimePoint asked;
    std::vector<Publisher> list;
    std::set<std::uint64_t> ids;
  };
  std::map<std::uint64_t, KnownPublishers> publishers_;  // by room; the dispatcher's thread only
  std::vector<PublisherEvent> deferred_;                  // the dispatcher's thread only
  // Publishers found without a medium by a reconcile's setup (no video: audio only; no audio: camera only),
  // not tried again at every reconcile: until an event says they publish it, or they leave. By room,
  // publisher and medium; the dispatcher's thread only.
  std::set<std::tuple<std::uint64_t, std::uint64_t, Media>> unforwardable_;
  // Publishers an event said had left, and when: Janus may list one as publishing for a moment after its
  // event, and a reconcile then would set it up again only to have its forwards refused. A reconcile passes
  // over them for one reconcile interval, unless an event says they publish again. By room and publisher;
  // the dispatcher's thread only.
  std::map<std::pair<std::uint64_t, std::uint64_t>, TimePoint> left_;
  TimePoint deferred_since_;                              // when the list the first of them missed was asked

  mutable std::mutex mutex_;  // guards what other threads see: the queue, the statistics, published_
  std::condition_variable wake_;
  std::deque<PublisherEvent> queue_;
  DispatchStats stats_;
  std::uint64_t analysed_count_ = 0;
  nlohmann::json published_ = nlohmann::json::object();
  elaborator::detail::RateLimitedLog refusals_;
  elaborator::detail::RateLimitedLog janus_errors_;
  std::jthread thread_;  // last: stops first
};

}  // namespace elaborator::janus
