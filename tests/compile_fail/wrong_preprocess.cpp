// expect: preprocess must be `bool preprocess
#include <elaborator.hpp>

class VoidPreprocess : public elaborator::Elaborator<VoidPreprocess> {
 public:
  using Elaborator::Elaborator;
  void preprocess(const elaborator::Frame&) {}
  std::vector<elaborator::Detection> classify(const elaborator::Frame&) { return {}; }
};

int main() { VoidPreprocess e; }
