// A program whose classify() takes as long as --classify-ms says, as a stuck model or a slow service
// would: for tests of what a stop signal does while a hook is running.
#include <elaborator.hpp>
#include <elaborator/program.hpp>

#include <atomic>
#include <chrono>
#include <thread>

class LongClassify : public elaborator::Elaborator<LongClassify> {
 public:
  LongClassify(elaborator::ElaborationOptions options, const nlohmann::json& params)
      : Elaborator(std::move(options)), duration_(params.at("classify_ms").get<int>()) {}

 private:
  friend Elaborator;
  std::vector<elaborator::Detection> classify(const elaborator::Frame& frame) {
    if (!announced_.exchange(true)) elaborator::log("classify started on frame {}", frame.index());
    std::this_thread::sleep_for(duration_);  // the behaviour under test (a slow or stuck model), not synchronisation
    return {};
  }

  std::chrono::milliseconds duration_;
  std::atomic<bool> announced_{false};
};

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("long_classify", "An elaborator whose classify() takes a long time (tests).",
                              {{"long_classify", "Test", "classify() takes as long as it is told.",
                                {elaborator::Param::integer("classify_ms", 5000, 0, 3'600'000, "how long each classify() takes")},
                                elaborator::factory<LongClassify>()}});
  return elaborator::run_until_stopped(cli.parse(argc, argv));
}
