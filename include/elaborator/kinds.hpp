#pragma once
// The kinds of elaboration a program offers: each a name, the parameters it takes (with their defaults and
// limits) and a factory. Configuration chooses a kind by name ("kind" in a streams file or an API request,
// --kind on the command line; a program with one kind needs none) and sets its "params"; the library
// checks them against the declaration (unknown keys, types, limits), fills in the defaults, and hands the
// complete object to the factory. A program with one kind also gets a command-line option per parameter
// (min_face is --min-face), so the three ways in share one meaning.
//
//   elaborator::Kind faces{"face_detector", "Face detection", "Finds faces with a Haar cascade.",
//                          {elaborator::Param::integer("min_face", 40, 1, 10000, "smallest face, in pixels")},
//                          elaborator::factory<Faces>()};     // made as Faces(options, params)

#include "elaboration.hpp"
#include "error.hpp"
#include "options.hpp"
#include "sampling.hpp"
#include "tracking.hpp"

#include <fmt/core.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace elaborator {

// One parameter of a kind: its key in "params", its type and default, and for numbers their range.
struct Param {
  enum class Type { integer, number, text, flag, texts, numbers };

  std::string name;  // a JSON key: lower case and underscores
  Type type = Type::text;
  nlohmann::json fallback;  // the default, of the parameter's type
  std::string help;
  double low = -std::numeric_limits<double>::infinity();  // integer and number only
  double high = std::numeric_limits<double>::infinity();
  // What the type cannot say ("300x300" is a size): throws elaborator::Error with the reason, which the
  // configuration's error names the parameter with. Set with checked_by().
  std::function<void(const nlohmann::json&)> check;

  static Param integer(std::string name, std::int64_t fallback, std::int64_t low, std::int64_t high, std::string help) {
    return make(std::move(name), Type::integer, fallback, std::move(help), static_cast<double>(low), static_cast<double>(high));
  }
  static Param number(std::string name, double fallback, double low, double high, std::string help) {
    return make(std::move(name), Type::number, fallback, std::move(help), low, high);
  }
  static Param text(std::string name, std::string fallback, std::string help) {
    return make(std::move(name), Type::text, std::move(fallback), std::move(help));
  }
  static Param flag(std::string name, std::string help) { return make(std::move(name), Type::flag, false, std::move(help)); }
  static Param texts(std::string name, std::vector<std::string> fallback, std::string help) {
    return make(std::move(name), Type::texts, std::move(fallback), std::move(help));
  }
  static Param numbers(std::string name, std::vector<double> fallback, std::string help) {
    return make(std::move(name), Type::numbers, std::move(fallback), std::move(help));
  }

  Param checked_by(std::function<void(const nlohmann::json&)> checker) && {
    check = std::move(checker);
    return std::move(*this);
  }

  // What a value must be, as error messages and --help say it.
  [[nodiscard]] std::string expected() const {
    switch (type) {
      case Type::integer: return fmt::format("must be a whole number from {} to {}", low, high);
      case Type::number: return fmt::format("must be a number from {} to {}", low, high);
      case Type::text: return "must be a string";
      case Type::flag: return "must be true or false";
      case Type::texts: return "must be a list of strings";
      case Type::numbers: return "must be a list of numbers";
    }
    return "?";
  }

  // Whether `value` is one this parameter takes.
  [[nodiscard]] bool accepts(const nlohmann::json& value) const {
    switch (type) {
      case Type::integer:
        return value.is_number_integer() && value.get<double>() >= low && value.get<double>() <= high;
      case Type::number: return value.is_number() && value.get<double>() >= low && value.get<double>() <= high;
      case Type::text: return value.is_string();
      case Type::flag: return value.is_boolean();
      case Type::texts: return all_of(value, [](const nlohmann::json& v) { return v.is_string(); });
      case Type::numbers: return all_of(value, [](const nlohmann::json& v) { return v.is_number(); });
    }
    return false;
  }

 private:
  static Param make(std::string name, Type type, nlohmann::json fallback, std::string help,
                    double low = -std::numeric_limits<double>::infinity(),
                    double high = std::numeric_limits<double>::infinity()) {
    Param p;
    p.name = std::move(name);
    p.type = type;
    p.fallback = std::move(fallback);
    p.help = std::move(help);
    p.low = low;
    p.high = high;
    return p;
  }

  template <class Predicate>
  static bool all_of(const nlohmann::json& list, Predicate each) {
    if (!list.is_array()) return false;
    for (const auto& v : list) {
      if (!each(v)) return false;
    }
    return true;
  }
};

// Makes one elaboration of a kind from its options (sinks open) and its complete, checked params. May throw
// elaborator::Error (a model that does not load): the elaboration is then not added. It also says what its
// elaborations classify, so that a room's audio kinds go to its publishers' audio (janus/dispatcher.hpp)
// before any is made: factory<T>() knows it from T's classify() hook; any other callable makes video.
class ElaborationFactory {
 public:
  using Make = std::function<std::unique_ptr<Elaboration>(ElaborationOptions, const nlohmann::json& params)>;

  ElaborationFactory() = default;
  // Implicit, so that a kind's factory can be a lambda.
  template <class Callable>
    requires(!std::is_same_v<std::remove_cvref_t<Callable>, ElaborationFactory> && std::is_constructible_v<Make, Callable>)
  ElaborationFactory(Callable make, Media media = Media::video) : make_(std::move(make)), media_(media) {}

  std::unique_ptr<Elaboration> operator()(ElaborationOptions options, const nlohmann::json& params) const {
    return make_(std::move(options), params);
  }
  explicit operator bool() const { return static_cast<bool>(make_); }
  [[nodiscard]] Media media() const { return media_; }

 private:
  Make make_;
  Media media_ = Media::video;
};

// The factory of a kind whose elaborations are made as T(options, params): a constructor that reads its
// parameters from the checked JSON object.
template <class T>
ElaborationFactory factory() {
  static_assert(std::is_constructible_v<T, ElaborationOptions, const nlohmann::json&>,
                "elaborator: factory<T>() needs a constructor T(elaborator::ElaborationOptions, const nlohmann::json& params)");
  Media media = Media::video;
  if constexpr (requires { T::classified_media(); }) media = T::classified_media();
  return {[](ElaborationOptions options, const nlohmann::json& params) -> std::unique_ptr<Elaboration> {
            return std::make_unique<T>(std::move(options), params);
          },
          media};
}

struct Kind {
  std::string name;         // as configuration names it; also the default name of its elaborations
  std::string title;        // a heading for its options in --help, e.g. "Face detection"
  std::string description;  // one sentence for --help and the API's list of kinds
  std::vector<Param> params;
  ElaborationFactory make;
  // Its elaborations' sampling unless configured otherwise: a kind whose classify() has a price (a cloud
  // service bills each request) should not run on every frame unless asked to.
  SamplingPolicy sampling{};
  // Its elaborations' tracking unless configured otherwise: on for a kind whose results mean little without
  // identities (a people counter).
  TrackingPolicy tracking{};
};

class Kinds {
 public:
  Kinds() = default;
  Kinds(std::initializer_list<Kind> kinds) {
    for (const auto& kind : kinds) add(kind);
  }

  Kinds& add(Kind kind) {
    if (find(kind.name) != nullptr) throw Error(fmt::format("two kinds are called '{}'", kind.name));
    if (!kind.make) throw Error(fmt::format("kind '{}' has no factory", kind.name));
    kinds_.push_back(std::move(kind));
    return *this;
  }

  [[nodiscard]] const Kind* find(const std::string& name) const {
    for (const auto& kind : kinds_) {
      if (kind.name == name) return &kind;
    }
    return nullptr;
  }

  // The kind a configuration names; with no name, the program's only kind. Throws Error saying what
  // there is to choose from.
  [[nodiscard]] const Kind& resolve(const std::string& name) const {
    if (name.empty() && kinds_.size() == 1) return kinds_.front();
    if (const Kind* kind = find(name)) return *kind;
    if (kinds_.empty()) throw Error("this program offers no kind of elaboration");
    if (name.empty()) throw Error(fmt::format("needs a \"kind\": one of {}", names()));
    throw Error(fmt::format("unknown kind '{}': this program offers {}", name, names()));
  }

  [[nodiscard]] std::string names() const {
    std::vector<std::string> all;
    for (const auto& kind : kinds_) all.push_back(kind.name);
    return fmt::format("{}", fmt::join(all, ", "));
  }

  [[nodiscard]] const std::vector<Kind>& all() const { return kinds_; }
  [[nodiscard]] std::size_t size() const { return kinds_.size(); }

 private:
  std::vector<Kind> kinds_;
};

}  // namespace elaborator
