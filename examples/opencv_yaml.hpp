#pragma once
// face_recognizer's reading of a cv::FileStorage YAML file (a saved model) that may come from a stranger.
// OpenCV's own YAML parser is not safe with such input: fuzzing found a 96-byte file on which OpenCV 4.6's
// parser runs for minutes (fuzz/corpus/training_data/timeout-opencv-yaml-parser) and files that make it
// throw std::length_error or allocate what a matrix header declares.
//
// opencv_yaml::canonical() reads the text with a strict parser of its own, for exactly the YAML that
// cv::FileStorage writes (block maps and sequences indented by spaces, plain and double-quoted scalars,
// `[]`, `{}`, flow sequences of numbers, `!!opencv-matrix` with its rows, cols, dt and data), refuses
// anything else with the line it stopped at, and returns the same content as cv::FileStorage writes it.
// OpenCV's parser then only ever reads what OpenCV's writer wrote:
//
//   const std::string text = opencv_yaml::canonical(file_contents, path);
//   const cv::FileStorage storage(text, cv::FileStorage::READ | cv::FileStorage::MEMORY);

#include <elaborator/error.hpp>

#include <fmt/core.h>
#include <opencv2/core.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opencv_yaml {

using elaborator::Error;

namespace detail {

// One node of the document. A map's keys are in file order, as FileStorage keeps them, each with the item
// of the same index.
struct YamlNode {
  enum class Kind { plain, quoted, sequence, numbers, map, matrix };
  Kind kind = Kind::plain;
  std::string text;                                    // plain, quoted
  std::vector<YamlNode> items;                         // sequence, map
  std::vector<std::string> keys;                       // map
  std::vector<double> numbers;                         // numbers: a `[ 1., 2. ]` list (matrix data)
  bool integers = true;                                // numbers: all written as integers
  cv::Mat matrix;                                      // matrix
};

inline std::optional<int> yaml_integer(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A number as cv::FileStorage writes one: "1.", "-5.0e-01", ".Inf", "-.Inf", ".Nan".
inline std::optional<double> yaml_real(std::string_view text) {
  if (text == ".Inf" || text == "+.Inf") return std::numeric_limits<double>::infinity();
  if (text == "-.Inf") return -std::numeric_limits<double>::infinity();
  if (text == ".Nan") return std::numeric_limits<double>::quiet_NaN();
  const char* first = text.data() + (text.starts_with('+') ? 1 : 0);
  double value = 0;
  const auto [end, error] = std::from_chars(first, text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

class OpenCvYamlReader {
 public:
  OpenCvYamlReader(std::string_view text, std::string_view where) : where_(where) {
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      lines_.push_back(line);
      start = end + 1;
    }
  }

  // The document's top-level map.
  YamlNode document() {
    if (next_content() != "%YAML:1.0") fail("does not start with '%YAML:1.0'");
    ++line_;
    if (next_content() == "---") ++line_;
    if (at_end()) fail("holds nothing");
    if (indent_of(current()) != 0) fail("the top level is indented");
    YamlNode root = map(0, 0);
    if (!at_end()) fail("is not part of the document");
    return root;
  }

 private:
  // Deeper than any model: LBPH's is four levels. Bounds the recursion a hostile file could ask for.
  static constexpr int deepest = 16;

  [[noreturn]] void fail(std::string_view what) const { fail_at(line_, what); }
  [[noreturn]] void fail_at(std::size_t line, std::string_view what) const {
    throw Error(fmt::format("{}: line {}: {}", where_, std::min(line, lines_.size()) + 1, what));
  }

  bool at_end() {
    next_content();
    return line_ >= lines_.size();
  }
  std::string_view current() const { return lines_[line_]; }

  // Skips blank lines; returns the next line without its indentation ("" at the end).
  std::string_view next_content() {
    while (line_ < lines_.size() && trimmed(current()).empty()) ++line_;
    return line_ < lines_.size() ? trimmed(current()) : std::string_view{};
  }

  static std::string_view trimmed(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  }
  static std::size_t indent_of(std::string_view line) { return line.find_first_not_of(' '); }

  static bool is_item(std::string_view content) { return content == "-" || content.starts_with("- "); }

  // The node that starts on the next line, indented deeper than its parent's `parent_indent`.
  YamlNode block(std::size_t parent_indent, int depth) {
    if (depth > deepest) fail(fmt::format("nests deeper than {} levels", deepest));
    const std::string_view content = next_content();
    if (at_end() || indent_of(current()) <= parent_indent) fail("a key or '-' has no value");
    const std::size_t indent = indent_of(current());
    if (content == "[]" || content == "{}") {
      ++line_;
      return empty(content);
    }
    return is_item(content) ? sequence(indent, depth) : map(indent, depth);
  }

  static YamlNode empty(std::string_view brackets) {
    YamlNode node;
    node.kind = brackets == "[]" ? YamlNode::Kind::sequence : YamlNode::Kind::map;
    return node;
  }

  YamlNode map(std::size_t indent, int depth) {
    YamlNode node;
    node.kind = YamlNode::Kind::map;
    while (!at_end() && indent_of(current()) >= indent) {
      if (indent_of(current()) > indent) fail("does not line up with the keys before it");
      const std::string_view content = trimmed(current());
      const std::size_t colon = content.find(':');
      if (colon == std::string_view::npos || is_item(content)) fail("is not 'key: value'");
      const std::string_view key = content.substr(0, colon);
      check_key(key);
      if (std::find(node.keys.begin(), node.keys.end(), key) != node.keys.end()) fail(fmt::format("repeats the key '{}'", key));
      const std::string_view rest = trimmed(content.substr(colon + 1));
      if (colon + 1 < content.size() && content[colon + 1] != ' ') fail("has no space after the key's ':'");
      node.keys.emplace_back(key);
      node.items.push_back(value(rest, indent, depth + 1));
    }
    return node;
  }

  YamlNode sequence(std::size_t indent, int depth) {
    YamlNode node;
    node.kind = YamlNode::Kind::sequence;
    while (!at_end() && indent_of(current()) >= indent) {
      if (indent_of(current()) > indent) fail("does not line up with the items before it");
      const std::string_view content = trimmed(current());
      if (!is_item(content)) fail("is not a '-' item");
      node.items.push_back(value(trimmed(content.substr(1)), indent, depth + 1));
    }
    return node;
  }

  // The value after "key:" or "-" on the current line (`rest`), or on the lines below it. Moves past it.
  YamlNode value(std::string_view rest, std::size_t indent, int depth) {
    const std::size_t line = line_++;
    if (rest.empty()) return block(indent, depth);
    if (rest == "!!opencv-matrix") return matrix(block(indent, depth), line);
    if (rest == "[]" || rest == "{}") return empty(rest);
    --line_;  // the rest is read on its own line
    YamlNode node = rest.front() == '[' ? numbers(rest, indent) : rest.front() == '"' ? quoted(rest) : plain(rest);
    ++line_;
    return node;
  }

  void check_key(std::string_view key) const {
    const auto allowed = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; };
    if (key.empty() || !(std::isalpha(static_cast<unsigned char>(key.front())) || key.front() == '_') ||
        !std::all_of(key.begin(), key.end(), allowed)) {
      fail(fmt::format("'{}' is not a key (letters, digits, '_' and '-', not first)", key));
    }
  }

  YamlNode plain(std::string_view text) const {
    static constexpr std::string_view special = "[]{}!&*|>'\"%@`#,";
    if (special.find(text.front()) != std::string_view::npos || text.find(": ") != std::string_view::npos ||
        text.find(" #") != std::string_view::npos || !printable(text)) {
      fail(fmt::format("'{}' is not a value cv::FileStorage writes", text));
    }
    YamlNode node;
    node.text = text;
    return node;
  }

  static bool printable(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
  }

  YamlNode quoted(std::string_view text) const {
    YamlNode node;
    node.kind = YamlNode::Kind::quoted;
    std::size_t i = 1;
    for (; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] != '\\') {
        node.text += text[i];
        continue;
      }
      if (++i == text.size()) break;
      switch (text[i]) {
        case '\\': node.text += '\\'; break;
        case '"': node.text += '"'; break;
        case 'n': node.text += '\n'; break;
        case 't': node.text += '\t'; break;
        case 'r': node.text += '\r'; break;
        default: fail(fmt::format("'\\{}' is not an escape cv::FileStorage writes", text[i]));
      }
    }
    if (i + 1 != text.size() || !printable(text)) fail("is not one double-quoted string");
    return node;
  }

  // A flow sequence of numbers, `[ 1., 2.5e-01, ... ]`, which may go on over the lines below: ends on the
  // line of its ']'.
  YamlNode numbers(std::string_view first, std::size_t indent) {
    std::string_view text = first.substr(1);
    YamlNode node;
    node.kind = YamlNode::Kind::numbers;
    for (;;) {
      const std::size_t close = text.find(']');
      split_numbers(text.substr(0, close), node);
      if (close != std::string_view::npos) {
        if (!trimmed(text.substr(close + 1)).empty()) fail("has more after the ']'");
        return node;
      }
      if (++line_ >= lines_.size() || indent_of(current()) <= indent) fail("a '[' is never closed");
      text = current();
    }
  }

  void split_numbers(std::string_view text, YamlNode& into) const {
    while (!text.empty()) {
      const std::size_t comma = text.find(',');
      const std::string_view item = trimmed(text.substr(0, comma));
      text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
      if (item.empty()) {
        if (comma == std::string_view::npos) break;  // the space before ']' or at the end of a line
        fail("has an empty item in a '[ ... ]' list");
      }
      const std::optional<double> number = yaml_real(item);
      if (!number) fail(fmt::format("'{}' in a '[ ... ]' list is not a number", item));
      into.numbers.push_back(*number);
      into.integers = into.integers && yaml_integer(item).has_value();
    }
  }

  // `rows`, `cols`, `dt` and `data` of the !!opencv-matrix tagged on `line`, as a cv::Mat whose size is that
  // of the data.
  YamlNode matrix(const YamlNode& fields, std::size_t line) const {
    const auto field = [&](std::string_view name) -> const YamlNode& {
      const auto key = std::find(fields.keys.begin(), fields.keys.end(), name);
      if (key == fields.keys.end()) fail_at(line, fmt::format("an !!opencv-matrix has no '{}'", name));
      return fields.items[static_cast<std::size_t>(key - fields.keys.begin())];
    };
    if (fields.kind != YamlNode::Kind::map || fields.keys.size() != 4) fail_at(line, "an !!opencv-matrix is not rows, cols, dt and data");
    const int rows = count(field("rows"), line);
    const int cols = count(field("cols"), line);
    const int type = element_type(field("dt"), line);
    const YamlNode& data = field("data");
    const bool listed = data.kind == YamlNode::Kind::numbers || (data.kind == YamlNode::Kind::sequence && data.items.empty());
    if (!listed || data.numbers.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols)) {
      fail_at(line, fmt::format("an !!opencv-matrix of {} x {} does not have that many values", rows, cols));
    }
    if (!std::all_of(data.numbers.begin(), data.numbers.end(), [](double v) { return std::isfinite(v); })) {
      fail_at(line, "an !!opencv-matrix holds a value that is not finite");
    }
    YamlNode node;
    node.kind = YamlNode::Kind::matrix;
    cv::Mat(rows, cols, CV_64F, const_cast<double*>(data.numbers.data())).convertTo(node.matrix, type);
    return node;
  }

  int count(const YamlNode& node, std::size_t line) const {
    const std::optional<int> value = node.kind == YamlNode::Kind::plain ? yaml_integer(node.text) : std::nullopt;
    if (!value || *value < 0) fail_at(line, "an !!opencv-matrix's rows or cols is not a count");
    return *value;
  }

  // Single-channel element types only: what models hold.
  int element_type(const YamlNode& node, std::size_t line) const {
    static constexpr std::pair<std::string_view, int> types[] = {{"u", CV_8U},  {"c", CV_8S},  {"w", CV_16U}, {"s", CV_16S},
                                                                 {"i", CV_32S}, {"f", CV_32F}, {"d", CV_64F}};
    for (const auto& [name, type] : types) {
      if (node.kind == YamlNode::Kind::plain && node.text == name) return type;
    }
    fail_at(line, fmt::format("an !!opencv-matrix's dt '{}' is not one of u, c, w, s, i, f, d", node.text));
  }

  std::string_view where_;
  std::vector<std::string_view> lines_;
  std::size_t line_ = 0;
};

// Writes `node` as cv::FileStorage does, under `name` ("" inside a sequence). Plain scalars become what
// OpenCV's reader would make of them: an int, else a real, else a string.
inline void write_node(cv::FileStorage& out, const std::string& name, const YamlNode& node) {
  using Kind = YamlNode::Kind;
  switch (node.kind) {
    case Kind::quoted: cv::write(out, name, node.text); return;
    case Kind::matrix: cv::write(out, name, node.matrix); return;
    case Kind::plain: {
      if (const auto integer = yaml_integer(node.text)) {
        cv::write(out, name, *integer);
      } else if (const auto real = yaml_real(node.text)) {
        cv::write(out, name, *real);
      } else {
        cv::write(out, name, node.text);
      }
      return;
    }
    case Kind::numbers:
      out.startWriteStruct(name, cv::FileNode::SEQ | cv::FileNode::FLOW);
      for (const double number : node.numbers) {
        if (node.integers) {
          cv::write(out, "", static_cast<int>(number));
        } else {
          cv::write(out, "", number);
        }
      }
      out.endWriteStruct();
      return;
    case Kind::sequence:
    case Kind::map:
      out.startWriteStruct(name, node.kind == Kind::map ? cv::FileNode::MAP : cv::FileNode::SEQ);
      for (std::size_t i = 0; i < node.items.size(); ++i) write_node(out, node.keys.empty() ? "" : node.keys[i], node.items[i]);
      out.endWriteStruct();
      return;
  }
}

}  // namespace detail

// `text` (a cv::FileStorage YAML file, which `where` names in errors) as cv::FileStorage itself writes the
// same content. Throws elaborator::Error, with the line, for anything cv::FileStorage would not have written.
inline std::string canonical(std::string_view text, std::string_view where) {
  const detail::YamlNode root = detail::OpenCvYamlReader(text, where).document();
  try {
    cv::FileStorage out(".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY);
    for (std::size_t i = 0; i < root.keys.size(); ++i) detail::write_node(out, root.keys[i], root.items[i]);
    return out.releaseAndGetString();
  } catch (const cv::Exception& e) {  // a string longer than FileStorage writes, say
    throw Error(fmt::format("{}: cv::FileStorage cannot hold it: {}", where, e.what()));
  }
}

}  // namespace opencv_yaml
