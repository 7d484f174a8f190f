#pragma once
// Everything an elaboration does that does not depend on the user's types: sampling the stream (its frames,
// or windows of its audio), the queue of picked ones, the thread that classifies them, counters and latency percentiles, the periodic report
// and sending results to the sinks. The CRTP base plugs the user's hooks in as one `process` function.

#include "../audio_window.hpp"
#include "../clock.hpp"
#include "../frame.hpp"
#include "../options.hpp"
#include "../result.hpp"
#include "../sampling.hpp"
#include "../sink.hpp"
#include "../stats.hpp"
#include "../stream_subscriber.hpp"
#include "audio_windower.hpp"
#include "frame_queue.hpp"
#include "histogram.hpp"
#include "log.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

namespace elaborator::detail {

class ElaborationCore final : public StreamSubscriber {
 public:
  // What the elaboration classifies: a video stream's frames, or windows of an audio stream.
  using Work = std::variant<Frame, AudioWindow>;
  // Runs the user's hooks for one frame or window on the elaboration's thread. Exceptions are caught and
  // counted.
  using Process = std::function<void(Work&)>;
  // The elaboration's own counters, for the statistics; called from any thread, with the statistics locked.
  using Counters = std::function<std::vector<NamedCount>()>;

  ElaborationCore(Media media, ElaborationOptions options, Process process, Counters counters = {})
      : media_(media), options_(std::move(options)), sampler_(options_.sampling), windower_(options_.sampling),
        queue_(options_.sampling.queue_capacity), process_(std::move(process)), counters_(std::move(counters)) {}

  ~ElaborationCore() override { stop(); }
  ElaborationCore(const ElaborationCore&) = delete;
  ElaborationCore& operator=(const ElaborationCore&) = delete;

  [[nodiscard]] const ElaborationOptions& options() const { return options_; }
  [[nodiscard]] Media media() const { return media_; }

  // Starts the elaboration's threads and subscribes to the stream, which may already run: classifying
  // starts with the next picture (or audio) it decodes. Throws for a stream of the other medium.
  void start(MediaFeed& stream) {
    if (worker_.joinable()) throw Error(fmt::format("elaboration {}: already started", options_.name));
    if (stream.media() != media_) {
      throw Error(fmt::format("elaboration {} classifies {}, and its stream carries {}", options_.name,
                              to_string(media_), to_string(stream.media())));
    }
    stream_ = &stream;
    started_ = Clock::now();
    worker_ = std::jthread([this] { work(); });
    if (options_.report_interval.count() > 0) {
      reporter_ = std::jthread([this](std::stop_token stop) { report_periodically(stop); });
    }
    stream.subscribe(*this);
  }

  // Stops at once: frames still waiting are dropped (counted), the stream stops calling this elaboration
  // (it may go on for others), a classify() in progress is waited for. Then `drain` runs (results still on
  // their way are published), the sinks are flushed and the summary is printed. Idempotent.
  void stop(const std::function<void()>& drain = {}) {
    if (!worker_.joinable()) return;
    close_and_leave_stream();
    worker_.join();
    if (output_finished_) return;  // stop_within() gave up on a hook earlier and finished the output then
    if (drain) run_drain(drain);
    finish_output();
  }

  // Stops like stop(), but waits at most `grace` for a classify() in progress. If one is still running then
  // (a stuck model, a service that does not answer), the sinks are flushed and the summary printed without
  // it and false is returned: the elaboration is left stopping, and as no thread can be cancelled safely,
  // the caller's way out is to end the process.
  bool stop_within(std::chrono::milliseconds grace, const std::function<void()>& drain = {}) {
    if (!worker_.joinable()) return true;
    close_and_leave_stream();
    if (!wait_for(grace)) {
      if (!output_finished_) {
        log("elaboration {}: classify() still running {} ms after the stop request; not waiting for it",
            options_.name, grace.count());
        finish_output();
      }
      return false;
    }
    stop(drain);
    return true;
  }

  // Ends the elaboration from one of its hooks: no further frame is classified (those waiting are dropped,
  // counted) and wait() returns, as at the end of a file.
  void finish() { frames_dropped_ += queue_.close(false); }

  // From now on the statistics leave out the elaboration's own counters (their owner is going away).
  void forget_counters() {
    const std::lock_guard lock(histograms_mutex_);
    counters_ = nullptr;
  }

  // Waits until the stream has ended and every frame picked from it was classified, or stop() was called.
  // Returns whether that happened within the timeout.
  bool wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(finished_mutex_);
    return finished_changed_.wait_for(lock, timeout, [this] { return finished_; });
  }

  void wait() {
    std::unique_lock lock(finished_mutex_);
    finished_changed_.wait(lock, [this] { return finished_; });
  }

  // Whether a result goes anywhere: without a sink (a benchmark, a hook that only counts) none is made.
  [[nodiscard]] bool has_sinks() const { return !options_.sinks.empty(); }

  // Sends a result to every sink.
  void send(const Message& message) {
    for (const auto& sink : options_.sinks) sink->write(message);
  }

  // Accounts for a result, sent or not, stage by stage.
  void count_result(const FrameTimes& times, TimePoint sent) {
    ++results_sent_;
    const std::lock_guard lock(histograms_mutex_);
    record(&Stages::decode, milliseconds_between(times.arrival, times.decoded));
    record(&Stages::wait, milliseconds_between(times.decoded, times.classify_start));
    record(&Stages::output, milliseconds_between(times.classify_end, sent));
    record(&Stages::latency, milliseconds_between(times.arrival, sent));
    latency_buckets_.record(seconds_between(times.arrival, sent));
  }

  std::uint64_t next_sequence() { return sequence_++; }

  void count_skipped() { ++frames_skipped_; }

  void count_classified(const FrameTimes& times) {
    ++frames_classified_;
    const std::lock_guard lock(histograms_mutex_);
    record(&Stages::classify, milliseconds_between(times.classify_start, times.classify_end));
    classify_buckets_.record(seconds_between(times.classify_start, times.classify_end));
  }

  [[nodiscard]] ElaborationStats stats() const {
    const std::lock_guard lock(histograms_mutex_);
    return snapshot(total_);
  }

 private:
  // The durations of each stage, measured over the whole run (total_) and over the current report interval.
  struct Stages {
    Histogram decode;
    Histogram wait;
    Histogram classify;
    Histogram output;
    Histogram latency;
  };

  // Called with histograms_mutex_ held.
  void record(Histogram Stages::*stage, double milliseconds) {
    (total_.*stage).record(milliseconds);
    (interval_.*stage).record(milliseconds);
  }

  static Percentiles percentiles_of(const Histogram& h) {
    return {h.percentile(0.50), h.percentile(0.95), h.percentile(0.99), h.count()};
  }

  ElaborationStats snapshot(const Stages& stages) const {
    ElaborationStats s;
    s.name = options_.name;
    s.kind = options_.kind;
    s.uptime = Clock::now() - started_;
    s.frames_offered = frames_offered_.load();
    s.frames_sampled = frames_sampled_.load();
    s.frames_dropped = frames_dropped_.load();
    s.frames_skipped = frames_skipped_.load();
    s.frames_unchanged = sampler_.unchanged();
    s.frames_classified = frames_classified_.load();
    s.classify_errors = classify_errors_.load();
    s.results_sent = results_sent_.load();
    s.decode_ms = percentiles_of(stages.decode);
    s.wait_ms = percentiles_of(stages.wait);
    s.classify_ms = percentiles_of(stages.classify);
    s.output_ms = percentiles_of(stages.output);
    s.latency_ms = percentiles_of(stages.latency);
    s.classify_seconds = classify_buckets_;
    s.latency_seconds = latency_buckets_;
    s.stream = stream_ != nullptr ? stream_->stats() : last_stream_stats_;
    for (const auto& sink : options_.sinks) s.sinks.push_back(sink->stats());
    if (counters_) s.counters = counters_();
    return s;
  }

  // Closing the queue first releases the stream's thread if it waits for room here (a stream that is not
  // live), so unsubscribing, which waits for a call to this elaboration in progress, cannot wait forever.
  // The statistics keep the stream's as they were when it left.
  void close_and_leave_stream() {
    frames_dropped_ += queue_.close(false);
    if (stream_ == nullptr) return;
    stream_->unsubscribe(*this);
    const std::lock_guard lock(histograms_mutex_);
    last_stream_stats_ = stream_->stats();
    stream_ = nullptr;
  }

  void finish_output() {
    if (reporter_.joinable()) {
      reporter_.request_stop();
      reporter_.join();
    }
    for (const auto& sink : options_.sinks) sink->flush();
    if (options_.summary_at_stop) log("{}", format_summary(stats()));
    output_finished_ = true;
  }

  void run_drain(const std::function<void()>& drain) {
    try {
      drain();
    } catch (const std::exception& e) {
      log("elaboration {}: drain: {}", options_.name, e.what());
    }
  }

  // --- StreamSubscriber: the stream's thread ---

  void on_picture(const std::shared_ptr<const Picture>& picture, bool live) override {
    ++frames_offered_;
    const auto& info = picture->info();
    if (!sampler_.picks(info.index, info.stream_time(), picture.get())) return;
    const TimePoint now = Clock::now();
    enqueue(Frame(picture, FrameTimes{info.arrival, info.decoded, now, now, now}), live);
  }

  void on_audio(const std::shared_ptr<const AudioChunk>& chunk, bool live) override {
    windower_.add(*chunk, [&](AudioWindow window) {
      ++frames_offered_;
      if (sampler_.picks(window.index(), window.start())) enqueue(std::move(window), live);
    });
  }

  void enqueue(Work work, bool live) {
    ++frames_sampled_;
    if (live) {
      if (queue_.push(std::move(work))) ++frames_dropped_;
    } else if (!queue_.push_waiting(std::move(work))) {
      ++frames_dropped_;  // stopped while waiting for room
    }
  }

  void on_stream_end() override { queue_.close(true); }

  // --- the elaboration's thread ---

  void work() {
    while (auto work = queue_.pop()) {
      std::visit([](auto& picked) { picked.times().classify_start = Clock::now(); }, *work);
      try {
        process_(*work);
      } catch (const std::exception& e) {
        ++classify_errors_;
        hook_failures_("elaboration {}: {}: {}", options_.name, describe(*work), e.what());
      } catch (...) {
        ++classify_errors_;
        hook_failures_("elaboration {}: {}: unknown exception", options_.name, describe(*work));
      }
    }
    const std::lock_guard lock(finished_mutex_);
    finished_ = true;
    finished_changed_.notify_all();
  }

  static std::string describe(const Work& work) {
    if (const auto* window = std::get_if<AudioWindow>(&work)) return fmt::format("audio window {}", window->index());
    return fmt::format("frame {}", std::get<Frame>(work).index());
  }

  void report_periodically(const std::stop_token& stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    ElaborationStats before = stats();
    while (true) {
      std::unique_lock lock(mutex);
      if (wake.wait_for(lock, stop, options_.report_interval, [&stop] { return stop.stop_requested(); })) break;
      ElaborationStats now;
      {
        const std::lock_guard histograms(histograms_mutex_);
        now = snapshot(interval_);
        interval_ = Stages{};
      }
      log("{}", format_report_line(now, before));
      before = std::move(now);
    }
  }

  Media media_;
  ElaborationOptions options_;
  Sampler sampler_;  // only the stream's thread uses it
  AudioWindower windower_;  // the same, for audio
  FrameQueue<Work> queue_;
  Process process_;
  Counters counters_;  // guarded by histograms_mutex_
  MediaFeed* stream_ = nullptr;  // what feeds it, until it stops; guarded by histograms_mutex_ (statistics read it)
  StreamStats last_stream_stats_;
  TimePoint started_ = Clock::now();

  std::atomic<std::uint64_t> frames_offered_{0};
  std::atomic<std::uint64_t> frames_sampled_{0};
  std::atomic<std::uint64_t> frames_dropped_{0};
  std::atomic<std::uint64_t> frames_skipped_{0};
  std::atomic<std::uint64_t> frames_classified_{0};
  std::atomic<std::uint64_t> classify_errors_{0};
  std::atomic<std::uint64_t> results_sent_{0};
  std::atomic<std::uint64_t> sequence_{0};

  mutable std::mutex histograms_mutex_;
  Stages total_;
  Stages interval_;
  BucketCounts classify_buckets_;
  BucketCounts latency_buckets_;

  std::mutex finished_mutex_;
  std::condition_variable finished_changed_;
  bool finished_ = false;

  RateLimitedLog hook_failures_;
  bool output_finished_ = false;  // sinks flushed and summary printed: once, by whoever stops it first
  std::jthread worker_;
  std::jthread reporter_;
};

}  // namespace elaborator::detail
