// Live captions: speech to text with PocketSphinx (speech_recognizer.hpp) on a stream's audio. While someone
// speaks, a partial caption whenever the words heard so far change; when they stop, the utterance's final
// caption. Every sample must reach the recognizer, so the windows lie side by side and a queue of 30 s rides
// out a slow moment; PocketSphinx takes about a sixth of a core per stream.
#pragma once
#include "speech_recognizer.hpp"

#include <elaborator.hpp>

struct Caption {
  std::string text;
  bool final = false;
  std::chrono::nanoseconds start{0};  // stream time of the utterance's speech
  std::chrono::nanoseconds end{0};
};

inline void to_json(nlohmann::json& j, const Caption& caption) {
  j = {{"label", "caption"}, {"text", caption.text}, {"final", caption.final},
       {"start_ns", caption.start.count()}, {"end_ns", caption.end.count()}};
}

class Captions : public elaborator::Elaborator<Captions, Caption> {
 public:
  Captions(elaborator::ElaborationOptions options, const nlohmann::json& params)
      : Elaborator(std::move(options)),
        model_{params.at("acoustic_model"), params.at("language_model"), params.at("dictionary")} {}

 private:
  friend Elaborator;  // the base calls the private hooks
  void configure() { recognizer_.emplace(model_); }

  std::vector<Caption> classify(const elaborator::AudioWindow& window) {
    if (window.sample_rate() != speech::sample_rate || window.channels() != 1) {
      throw elaborator::Error(fmt::format("captions need 16 kHz mono audio, and this stream gives {} Hz, {} channels",
                                          window.sample_rate(), window.channels()));
    }
    if (!first_sample_) first_sample_ = window.start();
    last_window_ = window;
    std::vector<Caption> captions;
    for (const auto& heard : recognizer_->feed(window.samples())) captions.push_back(caption_of(heard));
    return captions;
  }

  // Only windows that changed a caption make a result.
  void elaborate_results(const elaborator::AudioWindow& window, std::vector<Caption>&& captions) {
    if (!captions.empty()) publish(window, captions);
  }

  // The end of the stream or a stop: what was being said gets its final caption.
  void drain() {
    if (!recognizer_ || !last_window_) return;
    if (auto last = recognizer_->finish()) publish(*last_window_, {caption_of(*last)});
  }

  [[nodiscard]] Caption caption_of(const speech::Hypothesis& heard) const {
    const auto at = [&](std::int64_t sample) {
      return *first_sample_ + std::chrono::nanoseconds(sample * 1'000'000'000 / speech::sample_rate);
    };
    return {heard.text, heard.final, at(heard.start_sample), at(heard.end_sample)};
  }

  speech::ModelPaths model_;
  std::optional<speech::Recognizer> recognizer_;
  std::optional<std::chrono::nanoseconds> first_sample_;  // the stream time the recognizer's sample 0 is
  std::optional<elaborator::AudioWindow> last_window_;
};

inline elaborator::Kind captions_kind() {
  elaborator::SamplingPolicy sampling;
  sampling.window = std::chrono::milliseconds(100);
  sampling.queue_capacity = 300;  // 30 s of windows: captions lose no speech to a slow moment
  const speech::ModelPaths debian;
  return {"captions", "Captions", "Live speech to text (English, CMU PocketSphinx): partial and final captions.",
          {elaborator::Param::text("acoustic_model", debian.acoustic_model, "PocketSphinx acoustic model directory"),
           elaborator::Param::text("language_model", debian.language_model, "PocketSphinx language model"),
           elaborator::Param::text("dictionary", debian.dictionary, "PocketSphinx pronunciation dictionary")},
          elaborator::factory<Captions>(), sampling};
}
