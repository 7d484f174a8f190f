#pragma once
// A hostile network between a real RTP sender and an elaborator: a UDP relay that receives a live stream and
// forwards it with faults a network or an attacker makes. Each packet suffers at most one, chosen by a seeded
// random generator so a failure can be replayed:
//   bit flips, truncation, a bogus header extension (announced longer than the packet), reordering (held back
//   behind the next packet), duplication, a wrong payload type, a burst from another SSRC.
// With hostility off it forwards every packet untouched.

#include "udp_receiver.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace test_support {

class HostileRelay {
 public:
  // Relays what arrives on its own port (port()) to 127.0.0.1:target.
  HostileRelay(std::uint16_t target, std::uint32_t seed) : target_(target), random_(seed) {
    thread_ = std::thread([this] { relay(); });
  }

  ~HostileRelay() {
    running_ = false;
    thread_.join();
  }
  HostileRelay(const HostileRelay&) = delete;
  HostileRelay& operator=(const HostileRelay&) = delete;

  [[nodiscard]] std::uint16_t port() const { return in_.port(); }

  // The share of packets that suffer a fault; 0 forwards everything untouched.
  void set_hostility(double share) { hostility_ = share; }

  // How many packets suffered each kind of fault so far.
  [[nodiscard]] std::map<std::string, int> faults() {
    const std::lock_guard lock(mutex_);
    return faults_;
  }

 private:
  void relay() {
    while (running_) {
      if (const auto packet = in_.receive(std::chrono::milliseconds(50))) {
        forward(std::vector<std::uint8_t>(packet->begin(), packet->end()));
      }
    }
  }

  void send(const std::vector<std::uint8_t>& bytes) { out_.send_to(target_, bytes); }

  void count(const char* fault) {
    const std::lock_guard lock(mutex_);
    ++faults_[fault];
  }

  void forward(std::vector<std::uint8_t> packet) {
    std::uniform_real_distribution<double> chance(0, 1);
    if (packet.size() < 12 || chance(random_) >= hostility_) {
      send(packet);
      release_held();
      return;
    }
    switch (std::uniform_int_distribution<int>(0, 6)(random_)) {
      case 0:  // bit flips anywhere, header included
        for (int i = 0; i < 4; ++i) packet[random_() % packet.size()] ^= static_cast<std::uint8_t>(1u << (random_() % 8));
        count("bit flips");
        break;
      case 1:  // truncated, possibly inside the header
        packet.resize(random_() % packet.size());
        count("truncation");
        break;
      case 2:  // an extension announced far longer than the packet
        packet[0] |= 0x10;
        packet.insert(packet.begin() + 12, {0xBE, 0xDE, 0xFF, 0xFF});
        count("bogus extension");
        break;
      case 3:  // held back, sent after the next packet
        if (!held_) {
          held_ = std::move(packet);
          count("reordering");
          return;
        }
        break;
      case 4:  // duplicated
        send(packet);
        count("duplication");
        break;
      case 5:  // a payload type nobody asked for
        packet[1] = static_cast<std::uint8_t>((packet[1] & 0x80) | 100);
        count("wrong payload type");
        break;
      default:  // as if another sender had started
        packet[8] ^= 0xFF;
        count("other SSRC");
        break;
    }
    send(packet);
    release_held();
  }

  void release_held() {
    if (held_) {
      send(*held_);
      held_.reset();
    }
  }

  UdpReceiver in_;
  UdpReceiver out_;
  std::uint16_t target_;
  std::mt19937 random_;
  std::atomic<double> hostility_{0};
  std::optional<std::vector<std::uint8_t>> held_;  // only the relay thread touches it
  std::mutex mutex_;
  std::map<std::string, int> faults_;
  std::atomic<bool> running_{true};
  std::thread thread_;
};

}  // namespace test_support
