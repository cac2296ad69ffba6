// A `closeloop serve` started by a test and stopped after it: spawned with its output in a
// log file, reached on the port it reports (start it with --http 127.0.0.1:0), stopped
// with SIGTERM (and SIGKILL if it does not stop in time).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/status.h"

namespace closeloop::testing {

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();  // Stop()
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Runs `binary args...`, output appended to `log`, and waits until it logs the address
  // it serves on and /readyz answers 200.
  Status Start(const std::string& binary, const std::vector<std::string>& args,
               const std::string& log, std::chrono::seconds limit = std::chrono::seconds(60));
  // SIGTERM, then waits up to `limit` (SIGKILL after). The exit code, or 128+signal.
  int Stop(std::chrono::seconds limit = std::chrono::seconds(30));

  // GETs `path` on loopback (no token) until it answers 200, for up to `limit`: its body,
  // or DeadlineExceeded with the last status seen. For what a server makes after it is
  // ready (e.g. the demo's credentials).
  Result<std::string> WaitForGet(const std::string& path,
                                 std::chrono::milliseconds limit = std::chrono::seconds(10)) const;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_;
};

}  // namespace closeloop::testing
