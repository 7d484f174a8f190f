// expect: train_model\(args...\) needs a hook
#include <elaborator.hpp>

class Untrainable : public elaborator::Elaborator<Untrainable> {
 public:
  using Elaborator::Elaborator;
  std::vector<elaborator::Detection> classify(const elaborator::Frame&) { return {}; }
};

int main() {
  Untrainable e;
  e.train_model(std::string("faces/"));
}
