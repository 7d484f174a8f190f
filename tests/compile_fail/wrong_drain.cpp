// expect: drain must be callable as `void drain\(\)`
#include <elaborator.hpp>

class DrainWithTimeout : public elaborator::Elaborator<DrainWithTimeout> {
 public:
  using Elaborator::Elaborator;
  void drain(int milliseconds) { static_cast<void>(milliseconds); }
  std::vector<elaborator::Detection> classify(const elaborator::Frame&) { return {}; }
};

int main() { DrainWithTimeout e; }
