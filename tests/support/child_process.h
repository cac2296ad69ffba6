// Running a program as a child process and killing it at a chosen moment: what crash and
// fault tests use to take a real `closeloop` process down with SIGKILL, as a power cut or
// the OOM killer would, and see what it had acknowledged by then.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace closeloop::testing {

struct ChildRun {
  std::string out;  // everything the child wrote to stdout before it ended
  // True when the child was still running at the deadline and we sent it SIGKILL.
  bool killed = false;
  int exit_code = -1;  // set when it exited on its own
  int signal = 0;      // set when a signal ended it (SIGKILL when `killed`)
  // From spawn until stdout closed (the child exited) or until the kill was sent.
  std::chrono::microseconds elapsed{0};
};

// Starts argv[0] (a path, not searched in PATH) with `argv`, stdout into a pipe we drain,
// stderr appended to `stderr_path` (created if missing; "" = /dev/null), stdin /dev/null.
// Without `kill_after` it waits for the child to end. With it, SIGKILL is sent if the
// child has not closed its stdout `kill_after` after the spawn; the kill goes to a child
// not yet reaped, so it can never hit a recycled pid. `hang_limit` bounds a run without a
// kill: past it the child is killed and the call fails (a hung child is a bug, not data).
// Not thread-safe with respect to other code that reaps children (waitpid(-1, ...)).
Result<ChildRun> RunChild(const std::vector<std::string>& argv, const std::string& stderr_path,
                          std::optional<std::chrono::microseconds> kill_after,
                          std::chrono::seconds hang_limit = std::chrono::seconds(60));

}  // namespace closeloop::testing
