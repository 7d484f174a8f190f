// The people_counter example as a user runs it, on Debian's vtest.avi (pedestrians, 768x576, 10 fps): HOG
// finds the people, tracking gives them ids, the line counts them. Every process started here is killed by
// PID on any exit.

#include "support/program.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

using namespace std::chrono_literals;
using test_support::ChildProcess;

namespace {

const std::string vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

}  // namespace

TEST_CASE("people_counter tracks vtest's walkers and counts them crossing a line, each way, in every result") {
  if (!std::filesystem::exists(vtest)) FAIL("missing " << vtest << ": install Debian's opencv-doc");
  test_support::TempDir dir;
  // Two frames a second of the 80 s file (HOG costs about 80 ms a frame), a line across the road.
  ChildProcess counter({PEOPLE_COUNTER_PATH, "--file", vtest, "--max-fps", "2", "--line", "0.75,0.72,0.75,0.3",
                        "--jsonl", dir.file("people.jsonl"), "--stats-interval", "0"},
                       dir.file("stdout"), dir.file("stderr"));
  const auto status = counter.wait_exit(150s);
  INFO(counter.standard_error());
  REQUIRE(test_support::exit_code(status) == 0);
  const auto results = test_support::results_in(dir.file("people.jsonl"));
  REQUIRE(results.size() >= 150);
  std::set<std::uint64_t> ids;
  std::uint64_t tracked = 0;
  std::uint64_t forward = 0;
  std::uint64_t backward = 0;
  for (const auto& r : results) {
    REQUIRE(r.contains("summary"));
    // Counts only ever grow.
    CHECK(r["summary"]["line"]["forward"].get<std::uint64_t>() >= forward);
    CHECK(r["summary"]["line"]["backward"].get<std::uint64_t>() >= backward);
    forward = r["summary"]["line"]["forward"];
    backward = r["summary"]["line"]["backward"];
    CHECK(r["summary"]["zone"].get<std::size_t>() == r["detections"].size());  // the default zone is the frame
    for (const auto& d : r["detections"]) {
      REQUIRE(d.contains("track"));
      ids.insert(d["track"]["id"].get<std::uint64_t>());
      ++tracked;
    }
  }
  // About 29 crossings by eye (docs/tracking.md); at two frames a second some are missed, and without
  // working tracks (a new id every frame) there would be none.
  INFO(forward << " forward, " << backward << " backward, " << ids.size() << " tracks for " << tracked << " detections");
  CHECK(forward >= 4);
  CHECK(backward >= 6);
  CHECK(ids.size() * 4 < tracked);  // a track lasts several results
}

TEST_CASE("people_counter without tracking, or with a line of three numbers, refuses to start and says why") {
  test_support::TempDir dir;
  std::ofstream(dir.file("streams.json")) << R"({"streams": [{"file": {"path": ")" << vtest
                                          << R"("}, "elaborations": [{"track": false}]}]})";
  ChildProcess untracked({PEOPLE_COUNTER_PATH, "--streams-file", dir.file("streams.json")}, dir.file("out1"), dir.file("err1"));
  CHECK(test_support::exit_code(untracked.wait_exit(30s)) == 1);
  CHECK_THAT(untracked.standard_error(), Catch::Contains("counting needs tracking"));
  ChildProcess short_line({PEOPLE_COUNTER_PATH, "--file", vtest, "--line", "0,0.5,1"}, dir.file("out2"), dir.file("err2"));
  CHECK(test_support::exit_code(short_line.wait_exit(30s)) == 2);
  CHECK_THAT(short_line.standard_error(), Catch::Contains("must be four numbers"));
}

TEST_CASE("people_counter shrinking frames below HOG's 64x128 window finds no one and goes on") {
  if (!std::filesystem::exists(vtest)) FAIL("missing " << vtest << ": install Debian's opencv-doc");
  test_support::TempDir dir;
  ChildProcess counter({PEOPLE_COUNTER_PATH, "--file", vtest, "--max-fps", "2", "--width", "100", "--jsonl",
                        dir.file("people.jsonl"), "--stats-interval", "0"},
                       dir.file("stdout"), dir.file("stderr"));
  const auto status = counter.wait_exit(60s);
  INFO(counter.standard_error());
  REQUIRE(test_support::exit_code(status) == 0);
  const auto results = test_support::results_in(dir.file("people.jsonl"));
  CHECK(results.size() >= 150);
  for (const auto& r : results) CHECK(r["detections"].empty());
}
