// expect: counters must be `std::vector<elaborator::NamedCount> counters\(\) const`
#include <elaborator.hpp>

// Not const: the statistics read it from other threads, so it may not change the elaboration.
class MutableCounters : public elaborator::Elaborator<MutableCounters> {
 public:
  using Elaborator::Elaborator;
  std::vector<elaborator::NamedCount> counters() { return {}; }
  std::vector<elaborator::Detection> classify(const elaborator::Frame&) { return {}; }
};

int main() { MutableCounters e; }
