// Long-running children for the Kafka tests: engine processes and the mock cluster run
// beside the test, which stops them with SIGTERM or kills them with SIGKILL.
// (tests/support/child_process.h runs a child to its end; these outlive a call.)
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace closeloop::testing {

class Background {
 public:
  // Starts argv[0] (a path) with stdout to `out_path` and stderr appended to `err_path`.
  Background(const std::vector<std::string>& argv, const std::string& out_path,
             const std::string& err_path);
  ~Background();  // SIGKILL if still running
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // Sends `sig` and waits for the exit; returns the wait status.
  int Stop(int sig);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// Waits until the file holds a line starting with `prefix`; returns the rest of that line
// ("" on timeout).
std::string WaitForLine(const std::string& path, const std::string& prefix,
                        std::chrono::seconds limit);

// The whole file ("" if missing).
std::string ReadFile(const std::string& path);

}  // namespace closeloop::testing
