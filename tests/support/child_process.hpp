#pragma once
// A program a test starts: its stdout and stderr go to files, and it is stopped by PID (SIGKILL) on every
// way out of the test, including a failed assertion.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "temp_dir.hpp"

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace test_support {

class ChildProcess {
 public:
  // `environment`: NAME=VALUE entries added to this process's environment for the child.
  ChildProcess(std::vector<std::string> argv, const std::string& stdout_path, const std::string& stderr_path,
               std::vector<std::string> environment = {})
      : stdout_path_(stdout_path), stderr_path_(stderr_path) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::vector<char*> variables;
    for (char** v = environ; *v != nullptr; ++v) variables.push_back(*v);
    for (auto& v : environment) variables.push_back(v.data());
    variables.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), variables.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  }

  ~ChildProcess() {
    if (!exit_status_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void signal(int signal_number) const { ::kill(pid_, signal_number); }
  [[nodiscard]] pid_t pid() const { return pid_; }

  // The exit status (as waitpid reports it) if the process ended within the timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_status_) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = status;
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) break;
      // The poll interval of this bounded wait for the exit (waitpid has no timeout): not synchronisation.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return exit_status_;
  }

  [[nodiscard]] bool running() { return !wait_exit(std::chrono::milliseconds(0)); }
  [[nodiscard]] std::string standard_output() const { return read_file(stdout_path_); }
  [[nodiscard]] std::string standard_error() const { return read_file(stderr_path_); }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::string stdout_path_;
  std::string stderr_path_;
};

}  // namespace test_support
