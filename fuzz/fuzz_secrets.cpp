// Fuzz target: the files and variables secrets come from (http/secret.hpp), which a deployment writes: a key
// file (its first line is the key), a secrets file of NAME=value lines (--janus-secrets-file), and a key in
// an environment variable. Whatever they hold, a key is refused or is its first line without surrounding
// blanks, never empty; a secrets file gives a value (maybe empty) for any name, unless the environment has
// one.
//
// Input: a byte whose low bit makes the file readable by other users (a key file warns then); then the
// content of the file, whose first line is also put in the environment.
#include "input_file.hpp"

#include <elaborator/http/secret.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace {

void check_key(const elaborator::http::Secret& key) {
  const std::string& value = key.reveal();
  constexpr std::string_view blanks = " \t\r\n";
  if (value.empty() || blanks.find(value.front()) != std::string_view::npos ||
      blanks.find(value.back()) != std::string_view::npos || value.find('\n') != std::string::npos) {
    __builtin_trap();
  }
}

void read_key(const std::string& path) {
  try {
    check_key(elaborator::http::Secret::from_file(path));
  } catch (const elaborator::Error&) {
  }
}

// The first line as JANUS_EVENTS_SECRET in the environment: a key from there, and it wins over the file's.
void read_environment(std::string_view first_line, const std::string& path) {
  if (first_line.find('\0') != std::string_view::npos) return;  // no variable holds one
  const std::string value(first_line);
  setenv("JANUS_EVENTS_SECRET", value.c_str(), 1);
  try {
    check_key(elaborator::http::Secret::from_environment("JANUS_EVENTS_SECRET"));
  } catch (const elaborator::Error&) {
  }
  if (elaborator::http::NamedSecrets(path).get("JANUS_EVENTS_SECRET") != value) __builtin_trap();
  unsetenv("JANUS_EVENTS_SECRET");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 65536) return -1;  // far larger than any secrets file
  namespace fs = std::filesystem;
  static const InputFile file("fuzz_secrets");
  const std::string_view content(reinterpret_cast<const char*>(data) + 1, size - 1);
  const fs::perms others = (data[0] & 1) != 0 ? fs::perms::group_read | fs::perms::others_read : fs::perms::none;
  const std::string& path = file.write(content, fs::perms::owner_read | fs::perms::owner_write | others);
  read_key(path);
  const elaborator::http::NamedSecrets secrets(path);
  for (const char* name : {"JANUS_ADMIN_KEY", "JANUS_ROOM_SECRET", "JANUS_EVENTS_SECRET", ""}) (void)secrets.get(name);
  read_environment(content.substr(0, content.find('\n')), path);
  return 0;
}
