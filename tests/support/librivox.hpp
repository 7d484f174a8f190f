#pragma once
// Debian's recordings of real speech (pocketsphinx-testdata): five LibriVox sentences of "Sense and
// Sensibility", 16 kHz mono WAV, and their transcription.

#include "wav_file.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace test_support {

inline const std::string librivox_dir = "/usr/share/pocketsphinx/test/data/librivox";

// Without the recordings a test cannot say anything: it says so (ctest reports a skip, its
// SKIP_REGULAR_EXPRESSION being "SKIPPED:") rather than pass in silence.
inline bool recordings_installed() {
  if (std::filesystem::exists(librivox_dir + "/transcription")) {
    return true;
  }
  WARN("SKIPPED: the LibriVox recordings are not installed (Debian: apt-get install pocketsphinx-testdata)");
  return false;
}

struct Recording {
  std::string id;
  std::string reference;  // the transcription, without its <s> and </s>
};

// Lines like "<s> he was not an ill disposed young man </s> (sense_and_sensibility_01_austen_64kb-0880)".
inline std::vector<Recording> librivox_recordings() {
  std::ifstream in(librivox_dir + "/transcription");
  std::vector<Recording> recordings;
  for (std::string line; std::getline(in, line);) {
    const auto open = line.rfind(" (");
    REQUIRE(open != std::string::npos);
    const std::string text = line.substr(0, open);
    REQUIRE(text.starts_with("<s> "));
    REQUIRE(text.ends_with(" </s>"));
    recordings.push_back({line.substr(open + 2, line.size() - open - 3), text.substr(4, text.size() - 9)});
  }
  REQUIRE(recordings.size() == 5);
  return recordings;
}

// Where a recording lies in joined_recordings(), in samples.
struct Placed {
  std::int64_t start = 0;
  std::int64_t end = 0;
};

// The first and one past the last sample of the 10 ms steps of `samples` whose level is at or above
// `loud_dbfs`: a recording without the quiet of the room before and after the reader speaks.
inline std::pair<std::size_t, std::size_t> loud_part(const std::vector<std::int16_t>& samples, double loud_dbfs) {
  constexpr std::size_t step = 160;  // 10 ms at 16 kHz
  std::size_t first = samples.size();
  std::size_t last = 0;
  for (std::size_t at = 0; at + step <= samples.size(); at += step) {
    double energy = 0;
    for (std::size_t i = at; i < at + step; ++i) energy += double(samples[i]) * samples[i];
    if (20 * std::log10(std::sqrt(energy / step) / 32768.0 + 1e-12) < loud_dbfs) continue;
    first = std::min(first, at);
    last = at + step;
  }
  return first < last ? std::pair{first, last} : std::pair{std::size_t{0}, std::size_t{0}};
}

// The recordings one after another, `gap` of digital silence before each and after the last, as 16 kHz mono.
// With `trim_below_dbfs`, each is cut to its loud part (above). `placed` gets where each one lies.
inline WavFile joined_recordings(const std::vector<Recording>& recordings, std::chrono::milliseconds gap,
                                 std::optional<double> trim_below_dbfs = std::nullopt,
                                 std::vector<Placed>* placed = nullptr) {
  WavFile joined{16000, 1, {}};
  const auto silence = static_cast<std::size_t>(gap.count() * 16);
  for (const auto& recording : recordings) {
    const WavFile wav = read_wav(librivox_dir + "/" + recording.id + ".wav");
    REQUIRE(wav.sample_rate == 16000);
    REQUIRE(wav.channels == 1);
    auto [first, last] = trim_below_dbfs ? loud_part(wav.samples, *trim_below_dbfs) : std::pair{std::size_t{0}, wav.samples.size()};
    joined.samples.insert(joined.samples.end(), silence, 0);
    if (placed != nullptr) {
      const auto start = static_cast<std::int64_t>(joined.samples.size());
      placed->push_back({start, start + static_cast<std::int64_t>(last - first)});
    }
    joined.samples.insert(joined.samples.end(), wav.samples.begin() + static_cast<std::ptrdiff_t>(first),
                          wav.samples.begin() + static_cast<std::ptrdiff_t>(last));
  }
  joined.samples.insert(joined.samples.end(), silence, 0);
  return joined;
}

}  // namespace test_support
