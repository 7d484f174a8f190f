// Fuzz target: a command line and its ELABORATOR_* environment, as a person, a container's environment or a
// deployment tool writes them, and the streams file it names, understood by the Parser every program
// shares. Whatever they are, the answer is a configuration or an elaborator::Error (parse_or_throw: what
// parse() prints before it exits), with complete params.
//
// Input: one argument per line, the first the program: a kind's name is a program with that kind alone
// (face_recognizer also allows no input, as it does), anything else a program with every kind. A line
// "env ELABORATOR_NAME=value" sets that variable instead. After an empty line, the streams file, which
// the arguments name "@file" ("@missing" names one that does not exist).
#include "fuzzed_kinds.hpp"
#include "input_file.hpp"

#include <elaborator/cli.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The only file the parser opens is the streams file: it must be the input's ("@file") or one that does not
// exist ("@missing"), not any path the fuzzer spells (/dev/stdin would block).
bool names_another_file(const std::vector<std::string>& lines) {
  const auto ours = [](std::string_view value) { return value == "@file" || value == "@missing"; };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.find("streams-file") == std::string::npos && line.find("STREAMS_FILE") == std::string::npos) continue;
    const auto equals = line.find('=');
    const std::string_view name = line.substr(0, equals);
    const bool given = (equals != std::string_view::npos && ours(line.substr(equals + 1)) &&
                        (name == "--streams-file" || name == "env ELABORATOR_STREAMS_FILE")) ||
                       (line == "--streams-file" && i + 1 < lines.size() && ours(lines[i + 1]));
    if (!given) return true;
  }
  return false;
}

// "@file" becomes the path of the input's streams file, "@missing" a path where there is none.
void name_files(std::vector<std::string>& arguments, std::string_view streams_file) {
  static const InputFile file("fuzz_cli.json");
  bool written = false;
  for (auto& argument : arguments) {
    if (const auto at = argument.find("@missing"); at != std::string::npos) {
      argument.replace(at, 8, "/nonexistent/streams.json");
    }
    if (const auto at = argument.find("@file"); at != std::string::npos) {
      if (!written) file.write(streams_file);
      written = true;
      argument.replace(at, 5, file.path());
    }
  }
}

// ELABORATOR_* variables set for one parse, unset after it.
class Environment {
 public:
  void set(std::string_view assignment) {
    const auto equals = assignment.find('=');
    const std::string name(assignment.substr(0, equals));
    if (equals == std::string_view::npos || !name.starts_with("ELABORATOR_")) return;
    setenv(name.c_str(), std::string(assignment.substr(equals + 1)).c_str(), 1);
    names_.push_back(name);
  }
  ~Environment() {
    for (const auto& name : names_) unsetenv(name.c_str());
  }

 private:
  std::vector<std::string> names_;
};

elaborator::cli::Parser parser_for(const std::string& program) {
  const elaborator::Kind* only = fuzzed_kinds().find(program);
  elaborator::cli::Parser cli(program, "a fuzzed program", only != nullptr ? elaborator::Kinds{*only} : fuzzed_kinds());
  if (program == "face_recognizer") cli.allow_no_input();
  cli.add_options("Its own")("own", "an option of the program's own", cxxopts::value<std::string>());
  return cli;
}

void parse(std::vector<std::string> arguments, Environment& environment) {
  elaborator::cli::Parser cli = parser_for(arguments.front());
  std::vector<const char*> argv;
  for (const auto& argument : arguments) {
    if (argument.starts_with("env ")) {
      environment.set(std::string_view(argument).substr(4));
    } else {
      argv.push_back(argument.c_str());
    }
  }
  const elaborator::cli::Arguments args = cli.parse_or_throw(static_cast<int>(argv.size()), argv.data());
  if (args.has("help") && cli.help().empty()) __builtin_trap();
  if (args.has("own")) (void)args.get<std::string>("own");
  for (const auto& stream : args.config.streams) check_complete(stream.elaborations);
  for (const auto& room : args.config.rooms) check_complete(room.elaborations);
  if (args.kinds.size() == 1 && !args.has("help") && args.params.size() != args.kinds.all().front().params.size()) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 65536) return -1;  // far longer than any command line
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t blank = input.find("\n\n");
  std::vector<std::string> arguments = lines_of(input.substr(0, blank));
  if (names_another_file(arguments)) return -1;
  name_files(arguments, blank == std::string_view::npos ? "" : input.substr(blank + 2));
  Environment environment;
  try {
    parse(std::move(arguments), environment);
  } catch (const elaborator::Error&) {
  }
  return 0;
}
