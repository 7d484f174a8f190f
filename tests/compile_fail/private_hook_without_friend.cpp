// expect: declare `friend Elaborator;`
#include <elaborator.hpp>

class Secretive : public elaborator::Elaborator<Secretive> {
 public:
  using Elaborator::Elaborator;

 private:
  std::vector<elaborator::Detection> classify(const elaborator::Frame&) { return {}; }
};

int main() { Secretive e; }
