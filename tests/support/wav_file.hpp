#pragma once
// Reading a WAV file of 16-bit PCM samples whole, for tests that feed real recordings. Only what such a file
// is: RIFF chunks, a "fmt " chunk of PCM (format 1), a "data" chunk; anything else is skipped or refused.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace test_support {

struct WavFile {
  int sample_rate = 0;
  int channels = 0;
  std::vector<std::int16_t> samples;  // interleaved when there are several channels
};

namespace wav_detail {

// RIFF is little-endian, as every machine this runs on.
inline std::uint32_t u32(const std::vector<char>& bytes, std::size_t at) {
  std::uint32_t value = 0;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  return value;
}

inline std::uint16_t u16(const std::vector<char>& bytes, std::size_t at) {
  std::uint16_t value = 0;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  return value;
}

}  // namespace wav_detail

inline WavFile read_wav(const std::string& path) {
  using wav_detail::u16;
  using wav_detail::u32;
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (bytes.size() < 12 || std::string(bytes.data(), 4) != "RIFF" || std::string(bytes.data() + 8, 4) != "WAVE") {
    throw std::runtime_error(path + ": not a WAV file");
  }
  WavFile wav;
  bool have_format = false;
  // Chunks: a four-letter id, a size, the contents, padded to an even size.
  for (std::size_t at = 12; at + 8 <= bytes.size();) {
    const std::string id(bytes.data() + at, 4);
    const std::size_t size = u32(bytes, at + 4);
    const std::size_t body = at + 8;
    if (size > bytes.size() - body) {
      throw std::runtime_error(path + ": chunk " + id + " runs past the end of the file");
    }
    if (id == "fmt ") {
      if (size < 16 || u16(bytes, body) != 1 || u16(bytes, body + 14) != 16) {
        throw std::runtime_error(path + ": not 16-bit PCM");
      }
      wav.channels = u16(bytes, body + 2);
      wav.sample_rate = static_cast<int>(u32(bytes, body + 4));
      have_format = true;
    } else if (id == "data") {
      if (!have_format) {
        throw std::runtime_error(path + ": data before format");
      }
      wav.samples.resize(size / 2);
      std::memcpy(wav.samples.data(), bytes.data() + body, wav.samples.size() * 2);
      return wav;
    }
    at = body + size + size % 2;
  }
  throw std::runtime_error(path + ": no data chunk");
}

// Writes 16-bit PCM as a WAV file (RIFF, "fmt ", "data"); throws if it cannot.
inline void write_wav(const std::string& path, const WavFile& wav) {
  const auto u32 = [](std::uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); };
  const auto u16 = [](std::uint16_t v) { return std::string(reinterpret_cast<const char*>(&v), 2); };
  const auto data_bytes = static_cast<std::uint32_t>(wav.samples.size() * 2);
  const auto channels = static_cast<std::uint16_t>(wav.channels);
  const auto rate = static_cast<std::uint32_t>(wav.sample_rate);
  std::string header = "RIFF" + u32(36 + data_bytes) + "WAVEfmt " + u32(16) + u16(1) + u16(channels) + u32(rate) +
                       u32(rate * channels * 2) + u16(static_cast<std::uint16_t>(channels * 2)) + u16(16) + "data" +
                       u32(data_bytes);
  std::ofstream out(path, std::ios::binary);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(wav.samples.data()), static_cast<std::streamsize>(data_bytes));
  if (!out) throw std::runtime_error(path + ": cannot be written");
}

}  // namespace test_support
