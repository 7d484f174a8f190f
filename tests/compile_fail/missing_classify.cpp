// expect: the derived class must define the hook
#include <elaborator.hpp>

class NoClassify : public elaborator::Elaborator<NoClassify> {
 public:
  using Elaborator::Elaborator;
};

int main() { NoClassify e; }
