#pragma once
// The processes of a benchmark run: gst-launch-1.0 senders and baselines, elaborator children, and the CPU
// time each of them used, read from /proc (user + system, all threads, living or gone).

#include <elaborator/detail/pipeline_description.hpp>
#include <elaborator/source.hpp>

#include <fmt/core.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace benchmark {

constexpr int width = 1280;
constexpr int height = 720;
constexpr int fps = 30;

inline double cpu_seconds(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.empty()) return 0;
  // The fields after the command name, which is in parentheses and may contain spaces.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  const std::vector<std::string> f((std::istream_iterator<std::string>(fields)), std::istream_iterator<std::string>());
  return (std::stod(f.at(11)) + std::stod(f.at(12))) / static_cast<double>(sysconf(_SC_CLK_TCK));  // utime, stime
}

// Whether some process has a UDP socket bound to this port on IPv4 (/proc/net/udp: "sl local_address ...",
// the address as hex ADDRESS:PORT): how the benchmark learns that a gst-launch-1.0 receiver listens.
inline bool udp_port_bound(std::uint16_t port) {
  std::ifstream table("/proc/net/udp");
  const std::string wanted = fmt::format(":{:04X}", port);
  std::string line;
  std::getline(table, line);  // the header
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot;
    std::string local;
    if (fields >> slot >> local && local.size() > wanted.size() && local.ends_with(wanted)) return true;
  }
  return false;
}

inline std::vector<std::string> gst_launch(const std::string& description) {
  std::vector<std::string> argv{"/usr/bin/gst-launch-1.0", "-q"};
  std::istringstream words(description);
  for (std::string word; words >> word;) argv.push_back(word);
  return argv;
}

inline std::string clients(const std::vector<std::uint16_t>& ports) {
  std::string list;
  for (const auto port : ports) list += fmt::format("{}127.0.0.1:{}", list.empty() ? "" : ",", port);
  return list;
}

inline std::string encoder(elaborator::Codec codec) {
  return codec == elaborator::Codec::h264
             ? "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! rtph264pay pt=96 config-interval=-1"
             : "vp8enc deadline=1 cpu-used=8 keyframe-max-dist=30 ! rtpvp8pay pt=96";
}

// A generated 720p30 source, encoded live and sent to every port at once (the same packets to each).
inline std::string live_sender(elaborator::Codec codec, const std::vector<std::uint16_t>& ports) {
  return fmt::format("videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! "
                     "video/x-raw,width={},height={},framerate={}/1 ! {} ! multiudpsink clients={}",
                     width, height, fps, encoder(codec), clients(ports));
}

// A clip encoded beforehand, sent at its own pace: sending it costs little CPU next to encoding live.
inline std::string clip_sender(const std::string& clip, std::uint16_t port) {
  return fmt::format("filesrc location={} ! matroskademux ! rtpvp8pay pt=96 ! udpsink host=127.0.0.1 port={} sync=true",
                     clip, port);
}

// Megamind.avi (faces in most frames) at 720p30, five times over: 55 s of VP8 in a WebM file.
inline std::string clip_maker(const std::string& clip) {
  const std::string megamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";
  std::string sources;
  for (int i = 0; i < 5; ++i) sources += fmt::format(" filesrc location={} ! decodebin ! videoconvert ! c.", megamind);
  return fmt::format("concat name=c ! videoscale ! videorate ! video/x-raw,width={},height={},framerate={}/1 ! "
                     "vp8enc deadline=1 cpu-used=4 keyframe-max-dist=30 target-bitrate=2000000 ! webmmux ! "
                     "filesink location={}{}",
                     width, height, fps, clip, sources);
}

// The pipeline the library builds for RTP, ending in fakesink: the physical limit of that pipeline.
inline std::string baseline_receiver(elaborator::Codec codec, std::uint16_t port) {
  elaborator::RtpSource source;
  source.codec = codec;
  const auto elements = elaborator::detail::codec_elements(codec);
  return fmt::format("udpsrc address=127.0.0.1 port={} caps={} ! rtpjitterbuffer latency={} ! {} ! {} ! videoconvert ! "
                     "video/x-raw,format=I420 ! fakesink sync=false",
                     port, elaborator::detail::rtp_caps(source), source.jitter_latency.count(), elements.depayloader,
                     elements.decoder);
}

}  // namespace benchmark
