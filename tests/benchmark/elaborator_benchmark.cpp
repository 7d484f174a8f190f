// elaborator_benchmark: figures measured side by side in one run, on RTP streams that gst-launch-1.0 sends
// over 127.0.0.1 (a generated 720p30 source, VP8 and H.264). Built with the tests, never run by ctest: only
// figures taken in the same run, at the same time, are compared. docs/performance.md shows its output.
//
//   tax       CPU per frame of two elaborators with a no-op classify next to two gst-launch-1.0 decoding the
//             same packets with the same pipeline into fakesink, and the latency the framework adds
//   handover  (only when asked for) the CPU one hand-over of a frame to a waiting thread costs on this machine,
//             30 times a second, in both threads
//   slow      a 100 ms classify on a 30 fps stream: newest-only next to a queue that keeps every frame
//   fanout    K elaborations on one decode in one process next to K processes decoding their own copy
//   streams   the most 720p30 streams one process receives with face detection on every 15th frame and
//             no frame lost before the decoder
//   service   POST /v1/streams to listening and to the first result; CPU, memory and threads of 50 idle streams
//   soak      (only when asked for) 30 fps for --soak-seconds with every kind of sink, face detection on every
//             frame: resident memory sampled from /proc every 10 s must stay flat
//
//   elaborator_benchmark [--sections tax,handover,slow,fanout,streams,service,soak] [--seconds 20] [--slow-seconds 600]
//   (also streams-on-change and streams-track: the streams section with --on-change or --track added)
//                        [--soak-seconds 600] [--json benchmark.json] [--results-dir DIR]

#include "processes.hpp"
#include "serve.hpp"
#include "support/child_process.hpp"
#include "support/process_usage.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_receiver.hpp"
#include "support/wait.hpp"

#include <elaborator/control.hpp>
#include <elaborator/detail/frame_queue.hpp>

#include <cxxopts.hpp>
#include <httplib.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

using namespace std::chrono_literals;
using test_support::ChildProcess;

namespace {

struct Settings {
  std::string self;           // this program, to start serve children
  std::chrono::seconds seconds{20};
  std::chrono::seconds slow_seconds{600};
  std::chrono::seconds soak_seconds{600};
  std::string results_dir;    // where result files of the slow section go (they feed the plots)
};

// Left out of every CPU window: the first keyframe, the decoders' threads starting. (The receivers already
// listen when a sender starts: this is not there to wait for them.)
constexpr auto warm_up = 3s;

// A serve child: this program in --serve mode.
class Elaborators {
 public:
  // Returns once every stream listens (the child's ready file), so that senders can start.
  Elaborators(const Settings& s, const test_support::TempDir& dir, const std::string& name,
              const std::vector<std::uint16_t>& ports, const std::vector<std::string>& extra)
      : process_(arguments(s, ports, extra, dir.file(name + ".ready")), dir.file(name + ".out"), dir.file(name + ".err")) {
    const std::string ready = dir.file(name + ".ready");
    if (!test_support::wait_until([&] { return std::filesystem::exists(ready); }, 30s)) {
      throw std::runtime_error(fmt::format("{}: not listening after 30 s: {}", name, process_.standard_error()));
    }
  }

  [[nodiscard]] pid_t pid() const { return process_.pid(); }

  // Stops it and returns the statistics it printed (its last line: results may come before them).
  nlohmann::json stop() {
    process_.signal(SIGTERM);
    process_.wait_exit(10s);
    const std::string output = process_.standard_output();
    const auto start = output.rfind('\n', output.size() >= 2 ? output.size() - 2 : 0);
    return nlohmann::json::parse(start == std::string::npos ? output : output.substr(start + 1), nullptr, false);
  }

 private:
  static std::vector<std::string> arguments(const Settings& s, const std::vector<std::uint16_t>& ports,
                                            const std::vector<std::string>& extra, const std::string& ready_file) {
    std::string list;
    for (const auto port : ports) list += fmt::format("{}{}", list.empty() ? "" : ",", port);
    std::vector<std::string> args{s.self, "--serve", list, "--ready-file", ready_file};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  ChildProcess process_;
};

std::vector<std::uint16_t> free_ports(std::size_t n) {
  std::vector<std::uint16_t> ports;
  // Hold every probe open until all are chosen, so no port is handed out twice.
  std::vector<std::unique_ptr<test_support::UdpReceiver>> probes;
  for (std::size_t i = 0; i < n; ++i) {
    probes.push_back(std::make_unique<test_support::UdpReceiver>());
    ports.push_back(probes.back()->port());
  }
  return ports;
}

std::unique_ptr<ChildProcess> start_gst(const test_support::TempDir& dir, const std::string& name,
                                        const std::string& description) {
  return std::make_unique<ChildProcess>(benchmark::gst_launch(description), dir.file(name + ".out"), dir.file(name + ".err"));
}

void stop_gst(const std::unique_ptr<ChildProcess>& process) {
  process->signal(SIGTERM);
  process->wait_exit(5s);
}

// CPU seconds of some processes over the same window of wall time.
std::vector<double> cpu_over(const std::vector<pid_t>& pids, std::chrono::seconds window) {
  std::vector<double> before;
  for (const auto pid : pids) before.push_back(benchmark::cpu_seconds(pid));
  std::this_thread::sleep_for(window);
  std::vector<double> used;
  for (std::size_t i = 0; i < pids.size(); ++i) used.push_back(benchmark::cpu_seconds(pids[i]) - before[i]);
  return used;
}

double sum(const std::vector<double>& values) {
  double total = 0;
  for (const double v : values) total += v;
  return total;
}

nlohmann::json percentile_json(std::vector<double> values) {
  if (values.empty()) return {{"p50", 0}, {"p99", 0}, {"max", 0}, {"count", 0}};
  std::sort(values.begin(), values.end());
  auto at = [&](double q) { return values[std::min(values.size() - 1, static_cast<std::size_t>(q * values.size()))]; };
  return {{"p50", at(0.50)}, {"p99", at(0.99)}, {"max", values.back()}, {"count", values.size()}};
}

// --- tax: the framework against the physical limit of its pipeline ---

// Two of each, identical: the same pipeline in two processes can cost a few per cent more in one than in the
// other for a whole run (up to 7 % for VP8 on these machines, gst-launch-1.0 or elaborator alike), so each
// side is the mean of two, and their ratios say how precise the run is. The sender sends to the ports in
// order, and the pairs are interleaved in it: baseline, elaborator, one in 30, elaborator, baseline.
nlohmann::json measure_tax(const Settings& s, elaborator::Codec codec) {
  test_support::TempDir dir;
  const auto ports = free_ports(5);
  const std::string name(elaborator::to_string(codec));
  auto baseline = start_gst(dir, "baseline", benchmark::baseline_receiver(codec, ports[0]));
  auto second_baseline = start_gst(dir, "baseline-2", benchmark::baseline_receiver(codec, ports[4]));
  for (const auto& receiver : {std::pair{baseline.get(), ports[0]}, std::pair{second_baseline.get(), ports[4]}}) {
    if (!test_support::wait_until([&] { return benchmark::udp_port_bound(receiver.second); }, 30s)) {
      throw std::runtime_error("tax: a gst-launch-1.0 baseline does not listen: " + receiver.first->standard_error());
    }
  }
  const std::vector<std::string> noop_args{"--codec", name, "--classify", "noop"};
  Elaborators every_frame(s, dir, "noop", {ports[1]}, noop_args);
  Elaborators second_every_frame(s, dir, "noop-2", {ports[3]}, noop_args);
  // The same, classifying one frame in 30: what is left of the tax without the hand-over of every frame to
  // the elaboration's thread.
  auto one_in_30 = noop_args;
  one_in_30.insert(one_in_30.end(), {"--every", "30"});
  Elaborators every_30th(s, dir, "noop-30", {ports[2]}, one_in_30);
  auto sender = start_gst(dir, "sender", benchmark::live_sender(codec, ports));
  std::this_thread::sleep_for(warm_up);
  const auto cpu = cpu_over({every_frame.pid(), second_every_frame.pid(), every_30th.pid(), baseline->pid(),
                             second_baseline->pid()},
                            s.seconds);
  stop_gst(sender);
  const auto stats = every_frame.stop();
  second_every_frame.stop();
  every_30th.stop();
  stop_gst(baseline);
  stop_gst(second_baseline);

  const double frames = static_cast<double>(s.seconds.count() * benchmark::fps);
  const auto ms_per_frame = [&](double cpu_seconds) { return 1000.0 * cpu_seconds / frames; };
  const double elaborator_ms = ms_per_frame((cpu[0] + cpu[1]) / 2);
  const double one_in_30_ms = ms_per_frame(cpu[2]);
  const double baseline_ms = ms_per_frame((cpu[3] + cpu[4]) / 2);
  const double elaborators_ratio = cpu[0] / cpu[1];
  const double baselines_ratio = cpu[3] / cpu[4];
  const auto& e = stats.at(0);
  fmt::print("tax {}: elaborator with a no-op classify {:.2f} ms CPU/frame, gst-launch-1.0 into fakesink {:.2f} ms "
             "CPU/frame: ratio {:.3f} ({:+.2f} ms/frame); classifying 1 frame in 30 {:.2f} ms: ratio {:.3f}\n",
             name, elaborator_ms, baseline_ms, elaborator_ms / baseline_ms, elaborator_ms - baseline_ms, one_in_30_ms,
             one_in_30_ms / baseline_ms);
  fmt::print("tax {}: the two elaborators {:.2f} and {:.2f} ms: ratio {:.3f}; the two baselines {:.2f} and {:.2f} ms: "
             "ratio {:.3f}\n",
             name, ms_per_frame(cpu[0]), ms_per_frame(cpu[1]), elaborators_ratio, ms_per_frame(cpu[3]),
             ms_per_frame(cpu[4]), baselines_ratio);
  fmt::print("tax {}: latency first packet -> result sent p50 {:.2f} ms, p99 {:.2f} ms; of which decode p50 {:.2f} "
             "p99 {:.2f}, framework (wait + output) p50 {:.2f} p99 {:.2f} ms\n",
             name, e["latency_ms"]["p50"].get<double>(), e["latency_ms"]["p99"].get<double>(),
             e["decode_ms"]["p50"].get<double>(), e["decode_ms"]["p99"].get<double>(),
             e["wait_ms"]["p50"].get<double>() + e["output_ms"]["p50"].get<double>(),
             e["wait_ms"]["p99"].get<double>() + e["output_ms"]["p99"].get<double>());
  return {{"elaborator_cpu_ms_per_frame", elaborator_ms}, {"gst_launch_cpu_ms_per_frame", baseline_ms},
          {"ratio", elaborator_ms / baseline_ms}, {"one_in_30_cpu_ms_per_frame", one_in_30_ms},
          {"one_in_30_ratio", one_in_30_ms / baseline_ms}, {"elaborators_ratio", elaborators_ratio},
          {"baselines_ratio", baselines_ratio}, {"elaborator", e}};
}

// --- handover: what handing a frame to another thread costs on this machine ---

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// About a millisecond of CPU on this project's machines, the same every time: what a thread does with a
// frame before handing it on.
void work_for_a_frame() {
  volatile std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < 300'000; ++i) sum = sum + i;
}

// The every-frame part of the tax is one hand-over per frame from the decoder's thread to the elaboration's,
// through the library's FrameQueue (a mutex and a condition variable: a futex wake-up of a sleeping thread).
// Here a thread does the same work 30 times a second and hands each frame to a thread that waits for it; the
// hand-over's CPU is measured in both: around each push in the first (less an empty measurement), and all of
// the second's. What a wake-up costs depends on the machine (on a virtual one, waking an idle CPU is a trip
// through the hypervisor), not on the library.
nlohmann::json measure_handover(const Settings& s) {
  const auto frames = static_cast<int>(s.seconds.count()) * benchmark::fps;
  elaborator::detail::FrameQueue<int> queue(1);
  double pushing = 0;
  double taking = 0;
  std::thread taker([&] {
    const double start = thread_cpu_seconds();
    while (queue.pop()) {
    }
    taking = thread_cpu_seconds() - start;
  });
  std::thread decoder([&] {
    auto next = std::chrono::steady_clock::now();
    for (int i = 0; i < frames; ++i) {
      next += std::chrono::microseconds(1'000'000 / benchmark::fps);
      std::this_thread::sleep_until(next);
      work_for_a_frame();
      const double before = thread_cpu_seconds();
      const double empty = thread_cpu_seconds();
      queue.push(i);
      pushing += (thread_cpu_seconds() - empty) - (empty - before);
    }
  });
  decoder.join();
  queue.close(true);
  taker.join();

  const auto us_per_frame = [&](double cpu_seconds) { return 1e6 * cpu_seconds / frames; };
  fmt::print("handover: {:.1f} us of CPU per frame handed to a waiting thread {} times a second: {:.1f} us in the "
             "thread that hands it over, {:.1f} us in the thread woken\n",
             us_per_frame(pushing + taking), benchmark::fps, us_per_frame(pushing), us_per_frame(taking));
  return {{"us_per_frame", us_per_frame(pushing + taking)},
          {"handing_thread_us", us_per_frame(pushing)},
          {"woken_thread_us", us_per_frame(taking)}};
}

// --- slow: newest-only against a queue that keeps every frame, under a 100 ms classify ---

// Latency of each result over time: (seconds since the first result, sent - arrival in ms).
std::vector<std::pair<double, double>> latency_series(const std::string& jsonl) {
  std::vector<std::pair<double, double>> series;
  std::ifstream in(jsonl);
  double first = -1;
  for (std::string line; std::getline(in, line);) {
    const auto m = nlohmann::json::parse(line, nullptr, false);
    if (m.is_discarded()) continue;
    const double sent = m["times_us"]["sent"].get<double>() / 1e6;
    if (first < 0) first = sent;
    series.emplace_back(sent - first, (m["times_us"]["sent"].get<double>() - m["times_us"]["arrival"].get<double>()) / 1000.0);
  }
  return series;
}

// p50/p99/max per 10 s window, for the plot.
nlohmann::json windows_of(const std::vector<std::pair<double, double>>& series) {
  nlohmann::json windows = nlohmann::json::array();
  std::vector<double> current;
  double start = 0;
  for (const auto& [t, latency] : series) {
    while (t >= start + 10) {
      if (!current.empty()) windows.push_back({{"t", start + 5}, {"latency_ms", percentile_json(current)}});
      current.clear();
      start += 10;
    }
    current.push_back(latency);
  }
  if (!current.empty()) windows.push_back({{"t", start + 5}, {"latency_ms", percentile_json(current)}});
  return windows;
}

nlohmann::json measure_slow(const Settings& s) {
  constexpr int classify_ms = 100;
  constexpr int kept = 2000;  // every frame up to this many waiting (2000 x 1.4 MB of 720p pictures)
  test_support::TempDir dir;
  const auto ports = free_ports(2);
  const std::string results = s.results_dir.empty() ? dir.file("") : s.results_dir + "/";
  const std::vector<std::string> slow{"--classify", "sleep:" + std::to_string(classify_ms)};
  auto args = [&](const char* name, int queue) {
    auto a = slow;
    a.insert(a.end(), {"--queue", std::to_string(queue), "--results-prefix", results + name + "-"});
    return a;
  };
  Elaborators newest(s, dir, "newest", {ports[0]}, args("newest", 1));
  Elaborators every(s, dir, "every", {ports[1]}, args("every", kept));
  auto sender = start_gst(dir, "sender", benchmark::live_sender(elaborator::Codec::vp8, ports));
  fmt::print("slow: running {} s with a {} ms classify on a {} fps stream...\n", s.slow_seconds.count(), classify_ms,
             benchmark::fps);
  std::fflush(stdout);
  std::this_thread::sleep_for(s.slow_seconds);
  stop_gst(sender);
  const auto newest_stats = newest.stop();
  const auto every_stats = every.stop();

  nlohmann::json report{{"classify_ms", classify_ms}, {"seconds", s.slow_seconds.count()}, {"every_queue", kept}};
  for (const auto& [name, stats] : {std::pair{"newest", newest_stats}, std::pair{"every", every_stats}}) {
    const auto series = latency_series(results + name + "-stream-0-e0.jsonl");
    std::vector<double> latencies;
    for (const auto& point : series) latencies.push_back(point.second);
    const auto overall = percentile_json(latencies);
    const auto& e = stats.at(0);
    report[name] = {{"latency_ms", overall}, {"over_time", windows_of(series)},
                    {"frames_classified", e["frames_classified"]}, {"frames_dropped", e["frames_dropped"]}};
    fmt::print("slow {}: latency p50 {:.0f} ms, p99 {:.0f} ms, max {:.0f} ms over {} results ({} frames dropped)\n",
               name, overall["p50"].get<double>(), overall["p99"].get<double>(), overall["max"].get<double>(),
               overall["count"].get<std::size_t>(), e["frames_dropped"].get<std::uint64_t>());
  }
  const double p99 = report["newest"]["latency_ms"]["p99"].get<double>();
  fmt::print("slow: newest-only p99 {:.0f} ms is {:.2f} x the classify time ({})\n", p99, p99 / classify_ms,
             p99 < 2.0 * classify_ms ? "under 2 x" : "NOT under 2 x");
  return report;
}

// --- fanout: one decode for K elaborations against K decodes ---

nlohmann::json measure_fanout(const Settings& s) {
  nlohmann::json rows = nlohmann::json::array();
  for (const int k : {1, 2, 4}) {
    test_support::TempDir dir;
    const auto ports = free_ports(static_cast<std::size_t>(k) + 1);
    Elaborators shared(s, dir, "shared", {ports[0]}, {"--elaborations", std::to_string(k)});
    std::vector<std::unique_ptr<Elaborators>> separate;
    for (int i = 0; i < k; ++i) {
      separate.push_back(std::make_unique<Elaborators>(s, dir, fmt::format("separate-{}", i),
                                                       std::vector<std::uint16_t>{ports[static_cast<std::size_t>(i) + 1]},
                                                       std::vector<std::string>{}));
    }
    auto sender = start_gst(dir, "sender", benchmark::live_sender(elaborator::Codec::vp8, ports));
    std::this_thread::sleep_for(warm_up);
    std::vector<pid_t> pids{shared.pid()};
    for (const auto& e : separate) pids.push_back(e->pid());
    const auto cpu = cpu_over(pids, s.seconds);
    stop_gst(sender);
    shared.stop();
    for (auto& e : separate) e->stop();
    const double one = cpu[0];
    const double many = sum(cpu) - cpu[0];
    fmt::print("fanout K={}: {} elaborations on one decode {:.1f} % CPU, {} processes decoding their own copy {:.1f} % "
               "CPU: ratio {:.2f}\n",
               k, k, 100 * one / static_cast<double>(s.seconds.count()), k,
               100 * many / static_cast<double>(s.seconds.count()), many / one);
    rows.push_back({{"k", k}, {"one_process_cpu_percent", 100 * one / static_cast<double>(s.seconds.count())},
                    {"k_processes_cpu_percent", 100 * many / static_cast<double>(s.seconds.count())},
                    {"ratio", many / one}});
  }
  return rows;
}

// --- streams: how many 720p30 streams one process sustains with face detection on every 15th frame ---

// `policy` adds to face detection on every 15th frame: nothing, --on-change or --track.
nlohmann::json measure_streams(const Settings& s, const std::string& policy = {}) {
  test_support::TempDir dir;
  const std::string clip = dir.file("megamind-720p.webm");
  auto maker = start_gst(dir, "clip", benchmark::clip_maker(clip));
  if (!maker->wait_exit(600s) || !std::filesystem::exists(clip)) {
    fmt::print("streams: could not make the 720p clip: {}\n", maker->standard_error());
    return nullptr;
  }
  nlohmann::json rows = nlohmann::json::array();
  int sustained = 0;       // no frame lost before the decoder, and every sampled frame classified
  int decoder_kept_up = 0;  // no frame lost before the decoder (classify may drop sampled frames)
  for (int n = 1; n <= 12; ++n) {
    const auto ports = free_ports(static_cast<std::size_t>(n));
    std::vector<std::string> arguments{"--classify", "faces", "--every", "15"};
    if (!policy.empty()) arguments.push_back(policy);
    Elaborators faces(s, dir, "faces", ports, arguments);
    std::vector<std::unique_ptr<ChildProcess>> senders;
    for (int i = 0; i < n; ++i) {
      senders.push_back(start_gst(dir, fmt::format("sender-{}", i), benchmark::clip_sender(clip, ports[static_cast<std::size_t>(i)])));
    }
    std::vector<pid_t> pids{faces.pid()};
    for (const auto& sender : senders) pids.push_back(sender->pid());
    const auto started = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(warm_up);
    const auto cpu = cpu_over(pids, s.seconds);
    for (auto& sender : senders) stop_gst(sender);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto stats = faces.stop();
    // The decoder kept up: every stream's frames all arrived and all were decoded, without errors.
    // Sustained: that, and face detection ran on every sampled frame (newest-only dropped none).
    bool decoded_all = stats.is_array() && stats.size() == static_cast<std::size_t>(n);
    bool classified_all = decoded_all;
    std::uint64_t decoded = 0;
    std::uint64_t received = 0;
    std::uint64_t dropped = 0;
    std::uint64_t classified = 0;
    for (const auto& e : stats) {
      classified += e["frames_classified"].get<std::uint64_t>();
      decoded += e["frames_decoded"].get<std::uint64_t>();
      received += e["frames_received"].get<std::uint64_t>();
      dropped += e["frames_dropped"].get<std::uint64_t>();
      decoded_all = decoded_all && e["decode_errors"] == 0 &&
                    e["frames_decoded"].get<double>() >= 0.98 * e["frames_received"].get<double>() &&
                    e["frames_received"].get<double>() >= 0.95 * benchmark::fps * (seconds - 1.5);
      classified_all = classified_all && e["frames_dropped"] == 0;
    }
    const bool ok = decoded_all && classified_all;
    const double elaborator_percent = 100 * cpu[0] / static_cast<double>(s.seconds.count());
    const double senders_percent = 100 * (sum(cpu) - cpu[0]) / static_cast<double>(s.seconds.count());
    fmt::print("streams{} N={}: {} frames received, {} decoded, {} classified, {} sampled frames dropped by newest-only; "
               "elaborator {:.0f} % CPU ({:.0f} % per stream), senders {:.0f} %: {}\n",
               policy, n, received, decoded, classified, dropped, elaborator_percent, elaborator_percent / n, senders_percent,
               ok ? "sustained" : decoded_all ? "decoder kept up, classify did not" : "decoder fell behind");
    std::fflush(stdout);
    rows.push_back({{"n", n}, {"sustained", ok}, {"decoder_kept_up", decoded_all}, {"classify_dropped", dropped},
                    {"frames_classified", classified},
                    {"elaborator_cpu_percent", elaborator_percent},
                    {"cpu_percent_per_stream", elaborator_percent / n}, {"senders_cpu_percent", senders_percent},
                    {"frames_received", received}, {"frames_decoded", decoded}, {"elaborations", stats}});
    if (!decoded_all) break;
    decoder_kept_up = n;
    if (ok && sustained == n - 1) sustained = n;
  }
  fmt::print("streams{}: one process sustained {} concurrent 720p30 streams with face detection on every 15th frame; "
             "its decoder kept up with {} (of at most 12 tried)\n",
             policy, sustained, decoder_kept_up);
  return {{"max_sustained", sustained}, {"max_decoder_kept_up", decoder_kept_up}, {"steps", rows}};
}

// --- soak: memory over a long run with every sink ---

// Resident memory of a process in kB (VmRSS), as the kernel counts it.
long resident_kb(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

nlohmann::json measure_soak(const Settings& s) {
  test_support::TempDir dir;
  test_support::UdpReceiver receiver;  // a real receiver for the datagrams, drained all along
  std::atomic<bool> draining{true};
  std::atomic<std::uint64_t> datagrams{0};
  std::thread drain([&] {
    while (draining) {
      if (receiver.receive(100ms)) ++datagrams;
    }
  });
  const auto ports = free_ports(1);
  Elaborators faces(s, dir, "soak", ports,
                    {"--classify", "faces", "--results-prefix", dir.file("soak-"), "--udp",
                     fmt::format("127.0.0.1:{}", receiver.port()), "--stdout"});
  auto sender = start_gst(dir, "sender", benchmark::live_sender(elaborator::Codec::vp8, ports));
  nlohmann::json samples = nlohmann::json::array();
  fmt::print("soak: {} s at 30 fps, every sink, face detection on every frame...\n", s.soak_seconds.count());
  std::fflush(stdout);
  for (auto t = 0s; t <= s.soak_seconds; t += 10s) {
    samples.push_back({{"t", t.count()}, {"rss_kb", resident_kb(faces.pid())}});
    if (t < s.soak_seconds) std::this_thread::sleep_for(10s);
  }
  stop_gst(sender);
  const auto stats = faces.stop();
  draining = false;
  drain.join();
  // Growth after the first minute: caches, pools and the first resolution's buffers are in place by then.
  const auto& first = samples[std::min<std::size_t>(6, samples.size() - 1)];
  const auto baseline = first["rss_kb"].get<double>();
  const auto last = samples.back()["rss_kb"].get<double>();
  const double growth = 100.0 * (last - baseline) / baseline;
  fmt::print("soak: resident memory {:.1f} MB at {} s, {:.1f} MB at {} s: growth {:+.1f} % ({}); {} datagrams received\n",
             baseline / 1024, first["t"].get<int>(), last / 1024, s.soak_seconds.count(), growth,
             growth < 5.0 ? "under 5 %" : "NOT under 5 %", datagrams.load());
  return {{"seconds", s.soak_seconds.count()}, {"rss_kb", samples}, {"growth_percent", growth},
          {"datagrams_received", datagrams.load()}, {"elaborator", stats.is_array() && !stats.empty() ? stats[0] : nullptr}};
}

// --- service: a stream added through the control API, and what idle streams cost ---

// The benchmark's no-op elaboration as a kind, for a service in this process.
elaborator::Kind noop_kind() {
  return {"noop", "No-op", "classify() does nothing.", {},
          [](elaborator::ElaborationOptions options, const nlohmann::json&) -> std::unique_ptr<elaborator::Elaboration> {
            return std::make_unique<benchmark::Worker>(std::move(options), benchmark::ClassifyKind{});
          }};
}

// This process's CPU seconds, from getrusage (its threads and memory: process_usage.hpp).
double own_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// POST /v1/streams while a sender (720p30 VP8, a keyframe every second) already sends to the port, joined at
// a random point of its keyframe interval, as a Janus forward is: the time to the answer (the stream then
// listens) and from then to the first result (the next keyframe, decoded and classified).
nlohmann::json measure_add_stream(int repetitions) {
  elaborator::Service service({noop_kind()}, 0ms);
  elaborator::ControlServer control(service, {"127.0.0.1", 0}, std::nullopt);
  httplib::Client api("127.0.0.1", control.endpoint().port);
  test_support::TempDir dir;
  std::mt19937 random(20261204);
  std::vector<double> to_listening;
  std::vector<double> to_first_result;
  for (int i = 0; i < repetitions; ++i) {
    test_support::UdpReceiver results;
    const auto port = free_ports(1).front();
    auto sender = start_gst(dir, "sender", benchmark::live_sender(elaborator::Codec::vp8, {port}));
    std::this_thread::sleep_for(1s + std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 999)(random)));
    const nlohmann::json stream = {{"id", "added"}, {"rtp", {{"port", port}}},
                                   {"elaborations", {{{"udp", {fmt::format("127.0.0.1:{}", results.port())}}}}}};
    const auto asked = std::chrono::steady_clock::now();
    const auto answer = api.Post("/v1/streams", stream.dump(), "application/json");
    const auto listening = std::chrono::steady_clock::now();
    if (!answer || answer->status != 201) throw std::runtime_error("POST /v1/streams failed");
    const bool got = results.receive(10s).has_value();
    const auto first = std::chrono::steady_clock::now();
    api.Delete("/v1/streams/added");
    stop_gst(sender);
    if (!got) throw std::runtime_error("no result within 10 s");
    to_listening.push_back(std::chrono::duration<double, std::milli>(listening - asked).count());
    to_first_result.push_back(std::chrono::duration<double, std::milli>(first - listening).count());
  }
  nlohmann::json report{{"post_to_listening_ms", percentile_json(to_listening)},
                        {"listening_to_first_result_ms", percentile_json(to_first_result)}};
  fmt::print("service: POST /v1/streams to listening p50 {:.1f} ms, p99 {:.1f} ms; then to the first result "
             "(keyframe every 1 s) p50 {:.0f} ms, p99 {:.0f} ms ({} runs)\n",
             report["post_to_listening_ms"]["p50"].get<double>(), report["post_to_listening_ms"]["p99"].get<double>(),
             report["listening_to_first_result_ms"]["p50"].get<double>(),
             report["listening_to_first_result_ms"]["p99"].get<double>(), repetitions);
  return report;
}

// What a stream that receives nothing costs while it waits for its publisher.
nlohmann::json measure_idle_streams(const Settings& s, int count) {
  elaborator::Service service({noop_kind()}, 0ms);
  const std::size_t resident = test_support::resident_bytes();
  const std::size_t threads = test_support::thread_count();
  for (int i = 0; i < count; ++i) {
    elaborator::StreamConfig stream;
    stream.id = fmt::format("idle-{}", i);
    stream.source = elaborator::RtpSource{};
    stream.elaborations.push_back(elaborator::parse_elaboration({{"stdout", false}}, service.kinds(), 0ms));
    service.add_stream(stream);
  }
  std::this_thread::sleep_for(warm_up);
  const double cpu_before = own_cpu_seconds();
  std::this_thread::sleep_for(s.seconds);
  const double cpu = own_cpu_seconds() - cpu_before;
  const nlohmann::json report{
      {"streams", count},
      {"cpu_percent_per_stream", 100.0 * cpu / static_cast<double>(s.seconds.count()) / count},
      {"resident_mb_per_stream", static_cast<double>(test_support::resident_bytes() - resident) / (1 << 20) / count},
      {"threads_per_stream", static_cast<double>(test_support::thread_count() - threads) / count}};
  fmt::print("service: {} idle streams: {:.3f} % of a core, {:.2f} MB resident and {:.1f} threads per stream\n", count,
             report["cpu_percent_per_stream"].get<double>(), report["resident_mb_per_stream"].get<double>(),
             report["threads_per_stream"].get<double>());
  return report;
}

std::string today() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  return text;
}

int serve_main(const cxxopts::ParseResult& args) {
  benchmark::ServeSettings settings;
  std::istringstream ports(args["serve"].as<std::string>());
  for (std::string port; std::getline(ports, port, ',');) settings.ports.push_back(static_cast<std::uint16_t>(std::stoi(port)));
  settings.codec = elaborator::parse_codec(args["codec"].as<std::string>());
  settings.elaborations = args["elaborations"].as<int>();
  const std::string classify = args["classify"].as<std::string>();
  settings.classify.name = classify.substr(0, classify.find(':'));
  if (settings.classify.name == "sleep") settings.classify.sleep = std::chrono::milliseconds(std::stoi(classify.substr(6)));
  settings.sampling.every_nth = args["every"].as<unsigned>();
  settings.sampling.queue_capacity = args["queue"].as<std::size_t>();
  settings.sampling.on_change = args.count("on-change") > 0;
  settings.tracking.enabled = args.count("track") > 0;
  settings.results_prefix = args["results-prefix"].as<std::string>();
  if (args.count("udp") > 0) {
    for (const auto& target : args["udp"].as<std::vector<std::string>>()) settings.udp.push_back(elaborator::parse_endpoint(target));
  }
  settings.standard_output = args.count("stdout") > 0;
  if (args.count("ready-file") > 0) settings.ready_file = args["ready-file"].as<std::string>();
  return benchmark::serve(settings);
}

// What --sections may name.
const std::vector<std::string> known_sections{"tax",     "handover",          "slow",          "fanout",
                                             "streams", "streams-on-change", "streams-track", "service", "soak"};

std::string section_list() {
  std::string list;
  for (const auto& section : known_sections) list += (list.empty() ? "" : ", ") + section;
  return list;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("elaborator_benchmark", "Measures the framework against the limits of its pipeline.");
  options.add_options()
    ("sections", "what to measure: " + section_list(), cxxopts::value<std::vector<std::string>>()->default_value("tax,slow,fanout,streams,service"))
    ("seconds", "measuring window of each figure", cxxopts::value<int>()->default_value("20"))
    ("slow-seconds", "how long the slow-classify comparison runs", cxxopts::value<int>()->default_value("600"))
    ("soak-seconds", "how long the soak runs", cxxopts::value<int>()->default_value("600"))
    ("json", "also write the figures to this file", cxxopts::value<std::string>())
    ("results-dir", "keep the slow section's result files here", cxxopts::value<std::string>()->default_value(""))
    ("h,help", "show this help");
  options.add_options("internal: one elaborator process")
    ("serve", "receive on these ports (comma separated) until SIGTERM", cxxopts::value<std::string>())
    ("codec", "codec of the streams", cxxopts::value<std::string>()->default_value("vp8"))
    ("elaborations", "elaborations per stream", cxxopts::value<int>()->default_value("1"))
    ("classify", "noop, sleep:MS or faces", cxxopts::value<std::string>()->default_value("noop"))
    ("every", "classify every Nth frame", cxxopts::value<unsigned>()->default_value("1"))
    ("queue", "frames that may wait", cxxopts::value<std::size_t>()->default_value("1"))
    ("on-change", "classify only frames that changed (with --every: of every Nth)")
    ("track", "track the detections")
    ("results-prefix", "write results to <prefix><stream>-<elaboration>.jsonl", cxxopts::value<std::string>()->default_value(""))
    ("udp", "also send results to HOST:PORT", cxxopts::value<std::vector<std::string>>())
    ("stdout", "also print results on stdout")
    ("ready-file", "write this file once every stream listens", cxxopts::value<std::string>());
  const auto args = options.parse(argc, argv);
  if (args.count("help") > 0) {
    std::puts(options.help().c_str());
    return 0;
  }
  if (args.count("serve") > 0) return serve_main(args);

  Settings s;
  s.self = std::filesystem::canonical("/proc/self/exe").string();
  s.seconds = std::chrono::seconds(args["seconds"].as<int>());
  s.slow_seconds = std::chrono::seconds(args["slow-seconds"].as<int>());
  s.soak_seconds = std::chrono::seconds(args["soak-seconds"].as<int>());
  s.results_dir = args["results-dir"].as<std::string>();
  nlohmann::json report{{"date", today()},
                        {"machine", {{"cores", std::thread::hardware_concurrency()}}},
                        {"stream", {{"width", benchmark::width}, {"height", benchmark::height}, {"fps", benchmark::fps}}},
                        {"seconds", s.seconds.count()}};
  const auto sections = args["sections"].as<std::vector<std::string>>();
  for (const auto& section : sections) {
    if (std::find(known_sections.begin(), known_sections.end(), section) == known_sections.end()) {
      fmt::print(stderr, "elaborator_benchmark: no section '{}' (see --help)\n", section);
      return 2;
    }
  }
  auto wanted = [&](const char* name) { return std::find(sections.begin(), sections.end(), name) != sections.end(); };
  if (wanted("tax")) {
    for (const auto codec : {elaborator::Codec::vp8, elaborator::Codec::h264}) {
      report["framework_tax"][std::string(elaborator::to_string(codec))] = measure_tax(s, codec);
    }
  }
  if (wanted("handover")) report["handover"] = measure_handover(s);
  if (wanted("slow")) report["newest_vs_every"] = measure_slow(s);
  if (wanted("fanout")) report["fan_out"] = measure_fanout(s);
  if (wanted("streams")) report["streams"] = measure_streams(s);
  if (wanted("streams-on-change")) report["streams_on_change"] = measure_streams(s, "--on-change");
  if (wanted("streams-track")) report["streams_track"] = measure_streams(s, "--track");
  if (wanted("soak")) report["soak"] = measure_soak(s);
  if (wanted("service")) report["service"] = {{"add_stream", measure_add_stream(20)}, {"idle", measure_idle_streams(s, 50)}};
  if (args.count("json") > 0) std::ofstream(args["json"].as<std::string>()) << report.dump(2) << "\n";
  return 0;
}
