// What the command-line tests share: a scratch directory with a data directory in it, running
// `closeloop` to completion with its stderr kept, and writing input files.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace closeloop::testing {

struct CliDir {
  std::filesystem::path root;
  std::string data, err;

  explicit CliDir(const std::string& name)
      : root(std::filesystem::temp_directory_path() /
             ("cl-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(count++))),
        data((root / "data").string()),
        err((root / "stderr.log").string()) {
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root);
  }
  ~CliDir() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  // Runs `closeloop args...` to completion (at most two minutes).
  ChildRun Run(std::vector<std::string> args) {
    args.insert(args.begin(), CLOSELOOP_BIN);
    std::filesystem::remove(err);
    auto r = RunChild(args, err, std::nullopt, std::chrono::seconds(120));
    REQUIRE(r.ok());
    return *r;
  }
  std::string Stderr() const {
    std::ifstream in(err);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string path = (root / name).string();
    std::ofstream(path) << text;
    return path;
  }
  static inline std::atomic<int> count{0};
};

}  // namespace closeloop::testing
