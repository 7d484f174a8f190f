// expect: the derived class must define the hook
#include <elaborator.hpp>

class WrongReturn : public elaborator::Elaborator<WrongReturn> {
 public:
  using Elaborator::Elaborator;
  std::vector<int> classify(const elaborator::Frame&) { return {}; }
};

int main() { WrongReturn e; }
