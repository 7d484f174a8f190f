// A complete audio elaboration, cheap enough for every stream: the loudness of each window of audio in dBFS,
// whether it is speech, and the segments of speech and silence as each one ends.
//
// Voice activity here is loudness: a window at or above `speech_dbfs` is speech. A pause shorter than
// `hangover_ms` stays inside the speech around it, so a sentence is one segment and not one per word; a
// segment of speech ends where its last loud window ended. It tells a voice from the quiet of a room (speech
// at -35 to -20 dBFS, a quiet room at -45 and below on Debian's LibriVox recordings), not from music.
#pragma once
#include <elaborator.hpp>

#include <cmath>
#include <numeric>

struct SoundLevel {
  std::string label;  // "speech" or "silence"
  double dbfs = 0;    // RMS level, 0 dB being full scale
};

inline void to_json(nlohmann::json& j, const SoundLevel& level) {
  j = {{"label", level.label}, {"level_dbfs", std::round(level.dbfs * 10) / 10}};
}

// The RMS level of 16-bit samples in dB relative to full scale: -inf (here -120) for digital silence.
inline double level_dbfs(std::span<const std::int16_t> samples) {
  if (samples.empty()) return -120;
  const double energy = std::accumulate(samples.begin(), samples.end(), 0.0,
                                        [](double sum, std::int16_t s) { return sum + double(s) * s; });
  const double rms = std::sqrt(energy / static_cast<double>(samples.size())) / 32768.0;
  return std::max(20 * std::log10(rms), -120.0);
}

// Turns loud and quiet windows into segments of speech and silence, each told once it has ended.
class Segments {
 public:
  explicit Segments(std::chrono::nanoseconds hangover) : hangover_(hangover) {}

  // The window from `start` to `end` was loud or not: the segment this ends, as {"label", "start_ns",
  // "end_ns"}, or null.
  nlohmann::json update(std::chrono::nanoseconds start, std::chrono::nanoseconds end, bool loud) {
    if (!started_) {
      started_ = true;
      speaking_ = loud;
      segment_start_ = start;
    }
    if (loud) {
      last_loud_end_ = end;
      if (speaking_) return nullptr;
      speaking_ = true;
      return close("silence", start);
    }
    if (!speaking_ || end - last_loud_end_ < hangover_) return nullptr;
    speaking_ = false;
    return close("speech", last_loud_end_);
  }

 private:
  nlohmann::json close(const char* label, std::chrono::nanoseconds end) {
    nlohmann::json segment{{"label", label}, {"start_ns", segment_start_.count()}, {"end_ns", end.count()}};
    segment_start_ = end;
    return segment;
  }

  std::chrono::nanoseconds hangover_;
  bool started_ = false;
  bool speaking_ = false;
  std::chrono::nanoseconds segment_start_{0};
  std::chrono::nanoseconds last_loud_end_{0};
};

class SoundLevels : public elaborator::Elaborator<SoundLevels, SoundLevel> {
 public:
  SoundLevels(elaborator::ElaborationOptions options, const nlohmann::json& params)
      : Elaborator(std::move(options)), speech_dbfs_(params.at("speech_dbfs")),
        segments_(std::chrono::milliseconds(params.at("hangover_ms").get<int>())) {}

 private:
  friend Elaborator;  // the base calls the private hooks
  std::vector<SoundLevel> classify(const elaborator::AudioWindow& window) {
    const double dbfs = level_dbfs(window.samples());
    return {{dbfs >= speech_dbfs_ ? "speech" : "silence", dbfs}};
  }

  // Every window's level, and the segment it ended as the result's summary: {"segment": {...}}.
  void elaborate_results(const elaborator::AudioWindow& window, std::vector<SoundLevel>&& levels) {
    nlohmann::json ended = segments_.update(window.start(), window.end(), levels.front().label == "speech");
    publish(window, levels, ended.is_null() ? nullptr : nlohmann::json{{"segment", std::move(ended)}});
  }

  double speech_dbfs_;
  Segments segments_;
};

inline elaborator::Kind sound_level_kind() {
  elaborator::SamplingPolicy sampling;
  sampling.window = std::chrono::milliseconds(50);
  sampling.queue_capacity = 100;  // 5 s: a segment's boundaries need every window
  return {"sound_level", "Sound level", "Loudness in dBFS of each window of audio, and its speech and silence segments.",
          {elaborator::Param::number("speech_dbfs", -38, -120, 0, "level in dBFS at or above which a window is speech"),
           elaborator::Param::integer("hangover_ms", 300, 0, 10000, "a pause in speech shorter than this stays speech")},
          elaborator::factory<SoundLevels>(), sampling};
}
