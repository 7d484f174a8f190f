// expect: the Detection type needs a JSON form
#include <elaborator.hpp>

struct Plate {
  std::string number;
};

class Plates : public elaborator::Elaborator<Plates, Plate> {
 public:
  using Elaborator::Elaborator;
  std::vector<Plate> classify(const elaborator::Frame&) { return {}; }
};

int main() { Plates e; }
