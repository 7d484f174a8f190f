#pragma once
// Live speech to text with PocketSphinx (Debian's 5prealpha, its old API), for the captions example: fed
// successive chunks of 16 kHz mono audio, it says what changed. While someone speaks, a partial hypothesis
// whenever its text changes; when they stop, the utterance's final hypothesis. Utterances are what
// PocketSphinx's own voice-activity detection calls speech: each one is a PocketSphinx utterance of its own
// (ps_end_utt when speech stops, ps_start_utt for the next), so the decoder's search restarts at each pause
// and its cost does not grow with the length of the stream.

#include <elaborator/error.hpp>

#include <fmt/core.h>

// SphinxBase and OpenCV both declare global int64 and uint64, as long long and as int64_t (long): one
// program cannot see both. SphinxBase's are renamed while its headers are read; typedef names are not in
// the C functions' symbols, so nothing else changes.
#define int64 sphinxbase_int64
#define uint64 sphinxbase_uint64
#include <pocketsphinx.h>
#undef int64
#undef uint64

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace speech {

constexpr int sample_rate = 16000;  // the model's: the caller resamples

// The model's files; the defaults are where Debian's pocketsphinx-en-us puts them.
struct ModelPaths {
  std::string acoustic_model = "/usr/share/pocketsphinx/model/en-us/en-us";  // a directory
  std::string language_model = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";
  std::string dictionary = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
};

// What the recognizer heard in one utterance, so far (partial) or in all (final). Samples count from the
// first sample fed, so the caller turns them into times with its stream's own clock.
struct Hypothesis {
  std::string text;  // lower case words separated by single spaces; may be empty (a cough, a door)
  bool final = false;
  std::int64_t start_sample = 0;  // where speech started, as the voice-activity detector heard it
  std::int64_t end_sample = 0;    // the last sample fed (partial), or where speech stopped (final)
};
// The detector works on 10 ms frames: it says speech started once it has heard 0.1 s of it, and stopped
// after 0.5 s of silence (PocketSphinx's -vad_startspeech and -vad_postspeech). The offsets above are moved
// back by those delays, so they are near where the words are (within about 0.2 s on real recordings) rather
// than where the detector decided. At the very start of a stream it needs about a second to learn the noise: a stream that starts
// with noise rather than digital silence may begin with a short utterance of no words.

class Recognizer {
 public:
  // Throws elaborator::Error if a model file is missing (naming the Debian package) or PocketSphinx refuses
  // the model.
  explicit Recognizer(const ModelPaths& paths = {}) {
    require_file(paths.acoustic_model);
    require_file(paths.language_model);
    require_file(paths.dictionary);
    // PocketSphinx logs every step of loading and decoding to stderr; the log file option silences it for
    // this decoder, and the configuration itself says nothing.
    const std::unique_ptr<cmd_ln_t, ConfigDeleter> config(
        cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", paths.acoustic_model.c_str(), "-lm",
                    paths.language_model.c_str(), "-dict", paths.dictionary.c_str(), "-logfn", "/dev/null", nullptr));
    if (!config) {
      throw elaborator::Error("PocketSphinx refused its configuration");
    }
    decoder_.reset(ps_init(config.get()));  // the decoder keeps its own reference to the configuration
    if (!decoder_) {
      throw elaborator::Error(fmt::format("PocketSphinx could not load the model in {}", paths.acoustic_model));
    }
    start_delay_ = vad_frames_in_samples(config.get(), "-vad_startspeech");
    stop_delay_ = vad_frames_in_samples(config.get(), "-vad_postspeech");
    start_utterance();
  }

  // Feeds the next samples; returns the final hypotheses of the utterances that ended in them, then the
  // partial hypothesis of the one in progress if its text changed.
  std::vector<Hypothesis> feed(std::span<const std::int16_t> samples) {
    std::vector<Hypothesis> changes;
    // The detector's state is read after each step, not once per chunk, so utterance boundaries do not
    // depend on how the caller cuts its audio, and two utterances in one long chunk stay two.
    while (!samples.empty()) {
      const auto step = samples.first(std::min(samples.size(), vad_step));
      process(step);
      samples_fed_ += static_cast<std::int64_t>(step.size());
      samples = samples.subspan(step.size());
      const bool in_speech = ps_get_in_speech(decoder_.get()) != 0;
      if (in_speech && !utterance_start_) {
        utterance_start_ = std::max<std::int64_t>(samples_fed_ - start_delay_, 0);
      } else if (!in_speech && utterance_start_) {
        changes.push_back(end_utterance(std::max(samples_fed_ - stop_delay_, *utterance_start_ + 1)));
        start_utterance();
      }
    }
    if (auto partial = changed_partial()) {
      changes.push_back(std::move(*partial));
    }
    return changes;
  }

  // The end of the stream: the final hypothesis of the utterance in progress, if there is one (it ends at
  // the last sample: the detector has not heard the speech stop).
  std::optional<Hypothesis> finish() {
    if (!utterance_start_) {
      return std::nullopt;
    }
    Hypothesis last = end_utterance(samples_fed_);
    start_utterance();
    return last;
  }

 private:
  struct ConfigDeleter {
    void operator()(cmd_ln_t* config) const { cmd_ln_free_r(config); }
  };
  struct DecoderDeleter {
    void operator()(ps_decoder_t* decoder) const { ps_free(decoder); }
  };

  // One feature frame (10 ms): the detector's own resolution.
  static constexpr std::size_t vad_step = sample_rate / 100;

  static void require_file(const std::string& path) {
    if (!std::filesystem::exists(path)) {
      throw elaborator::Error(
          fmt::format("speech model: {} not found (on Debian: apt-get install pocketsphinx-en-us)", path));
    }
  }

  static std::int64_t vad_frames_in_samples(cmd_ln_t* config, const char* option) {
    return cmd_ln_int_r(config, option) * sample_rate / cmd_ln_int_r(config, "-frate");
  }

  void process(std::span<const std::int16_t> samples) {
    if (ps_process_raw(decoder_.get(), samples.data(), samples.size(), FALSE, FALSE) < 0) {
      throw elaborator::Error("PocketSphinx failed to decode audio");
    }
  }

  void start_utterance() {
    if (ps_start_utt(decoder_.get()) < 0) {
      throw elaborator::Error("PocketSphinx failed to start an utterance");
    }
    utterance_start_.reset();
    last_partial_.clear();
  }

  Hypothesis end_utterance(std::int64_t end_sample) {
    if (ps_end_utt(decoder_.get()) < 0) {
      throw elaborator::Error("PocketSphinx failed to end an utterance");
    }
    return {current_text(), true, *utterance_start_, end_sample};
  }

  std::optional<Hypothesis> changed_partial() {
    if (!utterance_start_) {
      return std::nullopt;
    }
    std::string text = current_text();
    if (text == last_partial_) {
      return std::nullopt;
    }
    last_partial_ = text;
    return Hypothesis{std::move(text), false, *utterance_start_, samples_fed_};
  }

  std::string current_text() {
    const char* hypothesis = ps_get_hyp(decoder_.get(), nullptr);
    return hypothesis ? hypothesis : "";
  }

  std::unique_ptr<ps_decoder_t, DecoderDeleter> decoder_;
  std::int64_t start_delay_ = 0;  // the detector's delays, in samples
  std::int64_t stop_delay_ = 0;
  std::int64_t samples_fed_ = 0;
  std::optional<std::int64_t> utterance_start_;  // set while the detector hears speech
  std::string last_partial_;
};

}  // namespace speech
