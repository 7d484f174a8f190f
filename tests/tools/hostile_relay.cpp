// hostile_relay: puts a hostile network between an RTP sender and a running elaborator, by hand.
//
//   hostile_relay --to 5004 [--hostility 0.3] [--seed 1] [--seconds 60]
//   gst-launch-1.0 videotestsrc ! vp8enc ! rtpvp8pay ! udpsink host=127.0.0.1 port=<the port it prints>
//
// Each packet suffers a fault with probability --hostility (bit flips, truncation, a bogus header extension,
// reordering, duplication, a wrong payload type, another SSRC); at the end it prints what it did.

#include "support/hostile_relay.hpp"

#include <cxxopts.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

int main(int argc, char** argv) {
  cxxopts::Options options("hostile_relay", "Relays RTP over 127.0.0.1 with faults, to test an elaborator.");
  options.add_options()
    ("to", "the elaborator's RTP port", cxxopts::value<int>())
    ("hostility", "share of packets that suffer a fault", cxxopts::value<double>()->default_value("0.3"))
    ("seed", "random seed, to replay a run", cxxopts::value<unsigned>()->default_value("1"))
    ("seconds", "how long to relay", cxxopts::value<int>()->default_value("60"))
    ("h,help", "show this help");
  const auto args = options.parse(argc, argv);
  if (args.count("help") > 0 || args.count("to") == 0) {
    std::puts(options.help().c_str());
    return args.count("help") > 0 ? 0 : 2;
  }
  test_support::HostileRelay relay(static_cast<std::uint16_t>(args["to"].as<int>()), args["seed"].as<unsigned>());
  relay.set_hostility(args["hostility"].as<double>());
  std::printf("send RTP to 127.0.0.1:%u\n", relay.port());
  std::fflush(stdout);
  // Not a test: a tool run by hand, which relays for --seconds.
  std::this_thread::sleep_for(std::chrono::seconds(args["seconds"].as<int>()));
  for (const auto& [fault, count] : relay.faults()) std::printf("%s: %d packets\n", fault.c_str(), count);
  return 0;
}
