// The kinds the fuzz targets of configurations and command lines parse against: the examples' kinds, and a
// kind with a parameter of every type kinds.hpp offers, one of them with a checker, as a user's own kind may
// declare them (the examples' kinds have no flag). Their elaborations are never made there.
#pragma once

#include <example_kinds.hpp>

#include <elaborator.hpp>

#include <string>
#include <utility>
#include <vector>

class EveryParam : public elaborator::Elaborator<EveryParam> {
 public:
  EveryParam(elaborator::ElaborationOptions options, const nlohmann::json&) : Elaborator(std::move(options)) {}

 private:
  friend Elaborator;
  std::vector<elaborator::Detection> classify(const elaborator::Frame&) { return {}; }
};

inline elaborator::Kind every_param_kind() {
  using elaborator::Param;
  return {"every_param",
          "Every parameter type",
          "A parameter of each type.",
          {Param::integer("count", 3, -5, 1000, "a whole number"), Param::number("ratio", 0.5, 0, 1, "a number"),
           Param::text("label", "x", "a string, not empty").checked_by([](const nlohmann::json& label) {
             if (label.get<std::string>().empty()) throw elaborator::Error("must not be empty");
           }),
           Param::flag("enabled", "a flag"), Param::texts("names", {"a", "b"}, "strings"),
           Param::numbers("weights", {1, 2.5}, "numbers")},
          elaborator::factory<EveryParam>()};
}

inline const elaborator::Kinds& fuzzed_kinds() {
  static const elaborator::Kinds kinds = [] {
    elaborator::Kinds all = example_kinds();
    all.add(every_param_kind());
    return all;
  }();
  return kinds;
}

// The parser promises elaborations of a known kind with complete params: traps if one is not.
inline void check_complete(const std::vector<elaborator::ElaborationConfig>& elaborations) {
  for (const auto& e : elaborations) {
    const elaborator::Kind* kind = fuzzed_kinds().find(e.kind);
    if (kind == nullptr || e.params.size() != kind->params.size()) __builtin_trap();
  }
}
