// A program whose classify() takes as long as --classify-ms says, as a stuck model or a slow service
// would: for tests of what a stop signal does while a hook is running.
#include <elaborator.hpp>

#include <atomic>
#include <chrono>
#include <thread>

class LongClassify : public elaborator::Elaborator<LongClassify> {
 public:
  LongClassify(elaborator::ElaborationOptions options, std::chrono::milliseconds duration)
      : Elaborator(std::move(options)), duration_(duration) {}

 private:
  friend Elaborator;
  std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) {
    if (!announced_.exchange(true)) elaborator::log("classify started on frame {}", frame.index());
    std::this_thread::sleep_for(duration_);
    return {};
  }

  std::chrono::milliseconds duration_;
  std::atomic<bool> announced_{false};
};

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("long_classify", "An elaborator whose classify() takes a long time (tests).");
  cli.add_options("Test")("classify-ms", "how long each classify() takes", cxxopts::value<int>()->default_value("5000"));
  const auto args = cli.parse(argc, argv);
  LongClassify slow(args.elaboration, std::chrono::milliseconds(args.get<int>("classify-ms")));
  return elaborator::run_until_stopped(slow, args.source, args.stream_id);
}
