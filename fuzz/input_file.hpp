// A file that holds the input, for the code that reads a path (a streams file, a key file, a model, class
// labels): one per name and process, in the temporary directory, rewritten for every input, removed at exit.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

class InputFile {
 public:
  explicit InputFile(const std::string& name)
      : path_((std::filesystem::temp_directory_path() / (name + "-" + std::to_string(getpid()))).string()) {}
  ~InputFile() { std::filesystem::remove(path_); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }

  // Writes `content` with these permissions; returns the path.
  const std::string& write(std::string_view content,
                           std::filesystem::perms permissions = std::filesystem::perms::owner_read |
                                                                std::filesystem::perms::owner_write) const {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << content;
    std::filesystem::permissions(path_, permissions);
    return path_;
  }

 private:
  std::string path_;
};
