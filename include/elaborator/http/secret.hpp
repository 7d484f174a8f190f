#pragma once
// An API key or token for a remote service. It comes from an environment variable or a file, never from
// the command line (any user of the machine can read a process's arguments), and it is never printed:
// Secret has no formatter and no operator<<, and the errors it throws name where the key was looked for,
// never the key.
//
//   const auto key = elaborator::http::Secret::from_environment("EMOTION_API_KEY");
//   request.headers.push_back("X-Goog-Api-Key: " + key.reveal());   // only where it is sent

#include "../detail/log.hpp"
#include "../error.hpp"

#include <fmt/core.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

namespace elaborator::http {

class Secret {
 public:
  // The value of an environment variable, without surrounding white space; throws elaborator::Error if it
  // is unset or holds nothing else (found by fuzzing: a value of blanks was an empty key).
  static Secret from_environment(const std::string& variable) {
    const char* value = std::getenv(variable.c_str());
    Secret secret(trimmed(value == nullptr ? "" : value));
    if (secret.value_.empty()) {
      throw Error(fmt::format("no key: the environment variable {} is not set or blank (or give the key in a file)", variable));
    }
    return secret;
  }

  // The first line of a file, without surrounding white space; throws elaborator::Error if the file cannot
  // be read or holds nothing. A file other users may read is used, with a warning.
  static Secret from_file(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) throw Error(fmt::format("no key: cannot read a line from the key file '{}'", path));
    Secret secret(trimmed(line));
    if (secret.value_.empty()) throw Error(fmt::format("no key: the key file '{}' starts with an empty line", path));
    struct stat status {};
    if (::stat(path.c_str(), &status) == 0 && (status.st_mode & (S_IRGRP | S_IROTH)) != 0) {
      detail::log("the key file '{}' is readable by other users; chmod 600 it", path);
    }
    return secret;
  }

  // The key itself, for the one place that sends it.
  [[nodiscard]] const std::string& reveal() const { return value_; }

 private:
  explicit Secret(std::string value) : value_(std::move(value)) {}

  static std::string trimmed(std::string_view text) {
    constexpr std::string_view blanks = " \t\r\n";
    const auto first = text.find_first_not_of(blanks);
    if (first == std::string_view::npos) return {};
    return std::string(text.substr(first, text.find_last_not_of(blanks) - first + 1));
  }

  std::string value_;
};

// Named secrets (JANUS_ADMIN_KEY, JANUS_ROOM_SECRET, ...) from the environment, else from a file of
// NAME=value lines ('#' starts a comment line), as examples/janus/make-config writes one. A name in neither
// is empty: the secret is optional where it is asked for. The file is read once, at construction.
class NamedSecrets {
 public:
  NamedSecrets() = default;
  explicit NamedSecrets(const std::string& file) {
    if (file.empty()) return;
    std::ifstream in(file);
    if (!in) throw Error(fmt::format("cannot read the secrets file {}", file));
    for (std::string line; std::getline(in, line);) {
      const auto equals = line.find('=');
      if (equals != std::string::npos && !line.starts_with('#')) from_file_[line.substr(0, equals)] = line.substr(equals + 1);
    }
  }

  [[nodiscard]] std::string get(const std::string& name) const {
    if (const char* value = std::getenv(name.c_str()); value != nullptr) return value;
    const auto found = from_file_.find(name);
    return found == from_file_.end() ? std::string() : found->second;
  }

 private:
  std::map<std::string, std::string> from_file_;
};

}  // namespace elaborator::http
