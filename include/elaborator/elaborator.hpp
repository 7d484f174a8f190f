#pragma once
// elaborator::Elaborator<Derived, Detection>: the base a user derives from to analyse a live video or audio
// stream.
//
// The derived class writes only its hooks; the base does the rest (receiving, decoding, sampling, threads,
// results, statistics, start and stop):
//
//   class Faces : public elaborator::Elaborator<Faces> {
//    public:
//     using Elaborator::Elaborator;
//    private:
//     friend Elaborator;                                    // lets the base call private hooks
//     void configure() { cascade_.load(path_); }            // optional: once, in start()
//     std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) { ... }
//   };
//
// Hooks (called by the base, one frame at a time, on the elaboration's own thread):
//   void configure()                                  optional; throw to refuse to start
//   bool preprocess(const Frame&)                     optional; false skips the frame (counted)
//   std::vector<Det> classify(const Frame&)           required: a video elaboration; or
//   std::vector<Det> classify(const AudioWindow&)     an audio elaboration, which gets windows of its
//                                                     stream's audio instead of frames (audio_window.hpp),
//                                                     and the hooks below take an AudioWindow too
//   void elaborate_results(const Frame&, std::vector<Det>&&)
//                                                     optional; the default publishes the detections.
//                                                     With tracking on (ElaborationOptions::tracking,
//                                                     --track), the detections have their `track` set
//   R train(Args...)                                  optional; called through train_model(), which holds
//                                                     the same lock as classify, so training a live
//                                                     elaboration is safe
//   void drain()                                      optional; in stop(), after the last classify and
//                                                     before the sinks are flushed: an elaboration that
//                                                     publishes from another thread waits here (bounded)
//                                                     for the results still on their way
//   std::vector<NamedCount> counters() const          optional; the elaboration's own counters, shown in
//                                                     the statistics line and the summary. Called from any
//                                                     thread: read atomics (or the like) only
// A missing or mis-typed hook is a compile error that names the hook and its expected signature.
//
// The public driver (start, stop, wait, wait_for, stats, train_model) is the same for every elaboration and
// is not meant to be redefined: the base never calls a derived class's version of it.

#include "audio_window.hpp"
#include "detail/elaboration_core.hpp"
#include "elaboration.hpp"
#include "detail/log.hpp"
#include "detection.hpp"
#include "frame.hpp"
#include "options.hpp"
#include "result.hpp"
#include "stats.hpp"
#include "stream_subscriber.hpp"
#include "tracking.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <concepts>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace elaborator {

template <class Derived, class Det = Detection>
class Elaborator : public Elaboration {
 public:
  using detection_type = Det;

  explicit Elaborator(ElaborationOptions options = {})
      : core_(classifies_audio() ? Media::audio : Media::video, std::move(options),
              [this](detail::ElaborationCore::Work& work) { process(work); }, counters_source()) {
    check_hooks();
    if (!core_.options().tracking.enabled) return;
    if (classifies_audio()) {
      throw Error(fmt::format("elaboration {}: tracking follows boxes in video; this elaboration classifies audio",
                              core_.options().name));
    }
    if constexpr (Trackable<Det>) {
      tracker_.emplace(core_.options().tracking);
    } else {
      throw Error(fmt::format("elaboration {}: tracking needs a detection type with `box` and `track` members "
                              "(elaborator::Detection and the types derived from it have them)",
                              core_.options().name));
    }
  }

  ~Elaborator() override {
    if (running_) {
      detail::log("elaboration {}: destroyed while running; call stop() before the derived object goes away",
                  core_.options().name);
      core_.forget_counters();  // the derived part is gone: no hook may run any more
      core_.stop();
    }
  }

  Elaborator(const Elaborator&) = delete;
  Elaborator& operator=(const Elaborator&) = delete;

  // Calls configure(), then classifies what `stream` decodes (decoded once for all its elaborations),
  // from the next picture (or audio) on: the stream may be started before or after. Throws what configure()
  // throws, or for a stream of the other medium; nothing is left running then. The stream must outlive the
  // elaboration's running time.
  void start(MediaFeed& stream) final {
    if (running_) throw Error(fmt::format("elaboration {}: already started", core_.options().name));
    if constexpr (declares_configure()) {
      const std::lock_guard lock(model_mutex_);
      derived().configure();
    }
    core_.start(stream);
    running_ = true;
  }

  // Stops within about one classify(): the stream stops calling this elaboration (it goes on for the
  // others), frames still waiting are dropped, the drain() hook runs, sinks are flushed and the summary is
  // printed. Idempotent.
  void stop() final {
    core_.stop([this] { call_drain(); });
    running_ = false;
  }

  // Stops like stop(), but waits at most `grace` for a classify() in progress: false if it is still running
  // then (the sinks are flushed and the summary printed all the same). For programs that must exit on time.
  bool stop_within(std::chrono::milliseconds grace) final {
    running_ = !core_.stop_within(grace, [this] { call_drain(); });
    return !running_;
  }

  // Waits until the stream has ended (a file) and every picked frame was classified, or stop() was called.
  void wait() { core_.wait(); }
  bool wait_for(std::chrono::milliseconds timeout) final { return core_.wait_for(timeout); }

  [[nodiscard]] ElaborationStats stats() const final { return core_.stats(); }
  [[nodiscard]] const std::string& name() const final { return core_.options().name; }
  [[nodiscard]] Media media() const final { return core_.media(); }

  // What the elaborations of Derived classify, as its classify() hook says: for code that must know before
  // making one (factory<Derived>()).
  static constexpr Media classified_media() { return classifies_audio() ? Media::audio : Media::video; }

  // Calls the train() hook while no frame is being classified.
  template <class... Args>
  decltype(auto) train_model(Args&&... args) {
    static_assert(requires(Derived& d, Args&&... a) { d.train(std::forward<Args>(a)...); },
                  "elaborator: train_model(args...) needs a hook `train(args...)` in the derived class that accepts "
                  "these arguments (if it is private, declare `friend Elaborator;` in the derived class)");
    const std::lock_guard lock(model_mutex_);
    return derived().train(std::forward<Args>(args)...);
  }

 protected:
  // Sends detections for a frame (or audio window) to every sink, as a result message. The default
  // elaborate_results() calls this; a derived class may call it itself, also later and from another thread
  // (a Frame and an AudioWindow are cheap copies). `summary`, when given, says something of the frame as a
  // whole (a count, a state): the message's "summary" field.
  template <class Classified>
    requires std::same_as<Classified, Frame> || std::same_as<Classified, AudioWindow>
  void publish(const Classified& classified, const std::vector<Det>& detections, nlohmann::json summary = nullptr) {
    const TimePoint sent = Clock::now();
    const std::uint64_t sequence = core_.next_sequence();
    if (core_.has_sinks()) {
      core_.send(make_result_message(classified, core_.options().name, sequence, detections, sent, std::move(summary)));
    }
    core_.count_result(classified.times(), sent);
  }

  [[nodiscard]] const ElaborationOptions& options() const { return core_.options(); }

  // Ends the elaboration from a hook, when it has done its job (e.g. enough faces enrolled): no further
  // frame is classified, and wait() and run_until_stopped() return as at the end of a file.
  void finish() { core_.finish(); }

 private:
  Derived& derived() { return static_cast<Derived&>(*this); }
  const Derived& derived() const { return static_cast<const Derived&>(*this); }

  detail::ElaborationCore::Counters counters_source() {
    if constexpr (declares_counters() && counters_is_valid()) {
      return [this] { return derived().counters(); };
    } else {
      return {};
    }
  }

  void call_drain() {
    if constexpr (declares_drain() && drain_is_valid()) {
      const std::lock_guard lock(model_mutex_);
      derived().drain();
    }
  }

  void process(detail::ElaborationCore::Work& work) {
    // With a broken hook, check_hooks() says what is wrong; compiling the calls too would only bury that
    // message under errors from deep inside the library.
    if constexpr (hooks_are_valid()) {
      auto& classified = std::get<Input<Derived>>(work);  // a Frame, or an AudioWindow
      const std::lock_guard lock(model_mutex_);
      Derived& self = derived();
      if constexpr (declares_preprocess()) {
        if (!self.preprocess(std::as_const(classified))) {
          core_.count_skipped();
          return;
        }
      }
      std::vector<Det> detections = self.classify(std::as_const(classified));
      if constexpr (Trackable<Det> && !classifies_audio()) {
        if (tracker_) tracker_->update(detections, classified.stream_time());
      }
      classified.times().classify_end = Clock::now();
      core_.count_classified(classified.times());
      if constexpr (declares_elaborate_results()) {
        self.elaborate_results(std::as_const(classified), std::move(detections));
      } else {
        publish(classified, detections);
      }
    }
  }

  // --- compile-time checks of the hooks, with messages a user can act on ---
  // They live in member functions so that private hooks of a class that befriends the base are visible.

  static constexpr bool declares_configure() { return requires { &Derived::configure; }; }
  static constexpr bool declares_preprocess() { return requires { &Derived::preprocess; }; }
  static constexpr bool declares_elaborate_results() { return requires { &Derived::elaborate_results; }; }
  static constexpr bool declares_drain() { return requires { &Derived::drain; }; }
  static constexpr bool declares_counters() { return requires { &Derived::counters; }; }

  template <class Classified>
  static constexpr bool classifies() {
    return requires(Derived& d, const Classified& c) {
      { d.classify(c) } -> std::same_as<std::vector<Det>>;
    };
  }
  static constexpr bool classifies_audio() { return classifies<AudioWindow>() && !classifies<Frame>(); }
  static constexpr bool classify_is_valid() { return classifies<Frame>() || classifies<AudioWindow>(); }
  // What classify() takes: a Frame, or an AudioWindow. A template, so that it is looked at only once
  // Derived is complete.
  template <class D>
  using Input = std::conditional_t<Elaborator<D, Det>::classifies_audio(), AudioWindow, Frame>;
  static constexpr bool detection_has_json() {
    return requires(nlohmann::json& j, const Det& d) { nlohmann::adl_serializer<Det>::to_json(j, d); };
  }
  static constexpr bool configure_is_valid() {
    return !declares_configure() || requires(Derived& d) { d.configure(); };
  }
  static constexpr bool preprocess_is_valid() {
    return !declares_preprocess() || requires(Derived& d, const Input<Derived>& f) {
      { d.preprocess(f) } -> std::convertible_to<bool>;
    };
  }
  static constexpr bool elaborate_results_is_valid() {
    return !declares_elaborate_results() || requires(Derived& d, const Input<Derived>& f, std::vector<Det>&& r) {
      d.elaborate_results(f, std::move(r));
    };
  }
  static constexpr bool drain_is_valid() {
    return !declares_drain() || requires(Derived& d) { d.drain(); };
  }
  static constexpr bool counters_is_valid() {
    return !declares_counters() || requires(const Derived& d) {
      { d.counters() } -> std::same_as<std::vector<NamedCount>>;
    };
  }
  static constexpr bool hooks_are_valid() {
    return classify_is_valid() && detection_has_json() && configure_is_valid() && preprocess_is_valid() &&
           elaborate_results_is_valid();
  }

  static void check_hooks() {
    static_assert(std::is_base_of_v<Elaborator, Derived>,
                  "elaborator: the first template argument of Elaborator must be the class deriving from it "
                  "(class X : public elaborator::Elaborator<X>)");
    static_assert(classify_is_valid(),
                  "elaborator: the derived class must define the hook "
                  "`std::vector<Detection> classify(const elaborator::Frame&)` (or, to classify audio, "
                  "`classify(const elaborator::AudioWindow&)`), returning exactly "
                  "std::vector of the Detection type given to Elaborator<Derived, Detection> "
                  "(if it is private, declare `friend Elaborator;` in the derived class)");
    static_assert(detection_has_json(),
                  "elaborator: the Detection type needs a JSON form: define "
                  "`void to_json(nlohmann::json&, const YourDetection&)` beside it");
    static_assert(configure_is_valid(), "elaborator: the hook configure must be callable as `void configure()`");
    static_assert(preprocess_is_valid(),
                  "elaborator: the hook preprocess must be `bool preprocess(const elaborator::Frame&)` "
                  "(`const elaborator::AudioWindow&` for audio)");
    static_assert(elaborate_results_is_valid(),
                  "elaborator: the hook elaborate_results must be "
                  "`void elaborate_results(const elaborator::Frame&, std::vector<Detection>&&)` "
                  "(`const elaborator::AudioWindow&` for audio)");
    static_assert(drain_is_valid(), "elaborator: the hook drain must be callable as `void drain()`");
    static_assert(counters_is_valid(),
                  "elaborator: the hook counters must be `std::vector<elaborator::NamedCount> counters() const`");
  }

  std::mutex model_mutex_;  // held while a hook runs: classify and train never overlap
  detail::ElaborationCore core_;
  std::optional<Tracker> tracker_;  // with tracking on; used on the elaboration's thread only
  bool running_ = false;
};

}  // namespace elaborator
