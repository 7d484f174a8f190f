#pragma once
// For tests that run an example program as a user would: a child process receiving Debian's Megamind.avi
// as VP8 RTP over 127.0.0.1 on the port its --ready-file names, its results read back from a JSON Lines
// file, its statistics from its log.

#include "child_process.hpp"
#include "rtp_sender.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace test_support {

inline const std::string megamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";  // 720x528, 270 frames

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Every line of a JSON Lines file, parsed (a line that does not parse fails the test).
inline std::vector<nlohmann::json> results_in(const std::string& path) {
  std::vector<nlohmann::json> results;
  for (const auto& line : lines_of(read_file(path))) results.push_back(nlohmann::json::parse(line));
  return results;
}

// What the tests of "stops within a second" (README.md, docs/library.md) allow. The bound is the point, made
// generous for a loaded machine and for AddressSanitizer (whose leak check at exit takes time of its own):
// a program stops in a few hundred milliseconds, a stuck classify() adding elaborator::stop_grace (500 ms)
// at most, while one that waited for the stuck classify() (a minute in the test) or for a packet would not.
#ifdef ELABORATOR_TEST_SANITIZED
inline constexpr std::chrono::milliseconds stop_deadline{8000};
#else
inline constexpr std::chrono::milliseconds stop_deadline{5000};
#endif

inline bool exited_cleanly(const std::optional<int>& status) {
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

inline std::optional<int> exit_code(const std::optional<int>& status) {
  if (!status || !WIFEXITED(*status)) return std::nullopt;
  return WEXITSTATUS(*status);
}

// What a program started with --ready-file FILE wrote there, once it has (everything listens then).
inline nlohmann::json ready_state(const std::string& ready_file) {
  nlohmann::json state;
  const bool ready = wait_until(
      [&] {
        state = nlohmann::json::parse(read_file(ready_file), nullptr, false);
        return !state.is_discarded() && state.is_object();
      },
      std::chrono::seconds(20));
  INFO("no ready file at " << ready_file);
  REQUIRE(ready);
  return state;
}

// The UDP port a stream of a program started with --ready-file FILE receives RTP on (port 0: the OS's pick).
inline std::uint16_t rtp_port_in(const std::string& ready_file, const std::string& stream = "stream") {
  const nlohmann::json state = ready_state(ready_file);
  for (const auto& s : state["streams"]) {
    if (s["id"] == stream) return s["rtp_port"].get<std::uint16_t>();
  }
  FAIL("no stream " << stream << " in " << ready_file);
  return 0;
}

// Streams Megamind.avi in real time (about 11 s) as VP8 RTP to a program and waits until it was all sent,
// then until the program's results in the JSON Lines file `results` have stopped coming (for a second: the
// last frames are classified then; how many results a run has is not known in advance).
inline void stream_megamind_to(std::uint16_t port, const std::string& results) {
  if (!std::filesystem::exists(megamind)) FAIL("missing " << megamind << ": install Debian's opencv-doc");
  SenderSettings settings;
  settings.file = megamind;
  RtpSender sender(port, settings);
  REQUIRE(sender.wait_until_sent(std::chrono::seconds(60)));
  CHECK(wait_until_steady([&] { return read_file(results).size(); }, [] { return true; }, std::chrono::seconds(1),
                          std::chrono::seconds(30)));
}

// Stops a program with SIGTERM, as a user's Ctrl-C would, and checks that it exits 0.
inline void stop_cleanly(ChildProcess& program) {
  program.signal(SIGTERM);
  const auto status = program.wait_exit(std::chrono::seconds(10));
  INFO(program.standard_error());
  REQUIRE(exited_cleanly(status));
}

// A number from the summary a program prints when it stops, e.g. summary_number(log, R"((\d+) decoded)").
inline std::uint64_t summary_number(const std::string& log, const std::string& pattern) {
  const auto start = log.rfind("summary of ");
  INFO("looking for '" << pattern << "' in the summary of:\n" << log);
  REQUIRE(start != std::string::npos);
  const std::string summary = log.substr(start);
  std::smatch match;
  REQUIRE(std::regex_search(summary, match, std::regex(pattern)));
  return std::stoull(match[1].str());
}

}  // namespace test_support
