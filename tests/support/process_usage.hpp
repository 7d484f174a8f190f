#pragma once
// What this process uses, from /proc/self: threads, open file descriptors, resident memory. For tests and
// benchmarks that check what a removal gives back, or what an idle stream costs.

#include <dirent.h>
#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>

namespace test_support {

inline std::size_t entries_in(const char* folder) {
  std::size_t count = 0;
  if (DIR* dir = ::opendir(folder)) {
    while (const dirent* entry = ::readdir(dir)) count += entry->d_name[0] != '.' ? 1 : 0;
    ::closedir(dir);
  }
  return count;
}

inline std::size_t thread_count() { return entries_in("/proc/self/task"); }
inline std::size_t open_descriptors() { return entries_in("/proc/self/fd") - 1; }  // less opendir's own

// What each open descriptor is ("3 -> socket:[1234]"), for a message when a count is not what it should be.
inline std::string descriptor_targets() {
  std::string list;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code unreadable;
    const auto target = std::filesystem::read_symlink(entry.path(), unreadable);
    list += entry.path().filename().string() + " -> " + target.string() + "; ";
  }
  return list;
}

inline std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0;
  std::size_t resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace test_support
