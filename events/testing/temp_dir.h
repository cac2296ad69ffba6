// A fresh, empty directory under the system's temporary directory for one test, removed with
// everything in it when the test ends. Named after the prefix, the process and a counter, so
// tests running side by side never share one.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace closeloop::events::testing {

struct TempDir {
  explicit TempDir(const std::string& prefix = "cl-test")
      : path(std::filesystem::temp_directory_path() /
             (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path path;
  static inline std::atomic<int> counter{0};
};

}  // namespace closeloop::events::testing
