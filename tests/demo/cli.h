// What the demo's command-line tests share: a scratch directory, running `closeloop` to
// completion, and reading tickets as `closeloop tickets --json` prints them.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace closeloop::testing {

struct DemoCli {
  std::filesystem::path root;
  std::string err;  // the last run's stderr file

  explicit DemoCli(const std::string& name);
  ~DemoCli();
  // Runs `closeloop args...` to completion (at most two minutes); fails the test if it
  // cannot be started.
  ChildRun Run(std::vector<std::string> args);
  std::string Stderr() const;
  // `closeloop tickets --data DATA --json --limit 1000000`, parsed.
  std::vector<nlohmann::json> Tickets(const std::string& data);
};

// Ms since the epoch of a local time in Asia/Shanghai.
int64_t ShanghaiMs(int y, int m, int d, int hh);

}  // namespace closeloop::testing
