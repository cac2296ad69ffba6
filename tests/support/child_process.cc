#include "tests/support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace closeloop::testing {
namespace {

using Clock = std::chrono::steady_clock;

Status Errno(const std::string& what) { return Internal(what + ": " + std::strerror(errno)); }

// Closes the fds it holds when it goes out of scope, on every path.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Drains whatever is readable; true at end of file (the child closed its stdout).
bool Drain(int fd, std::string& out) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return true;
    if (errno == EINTR) continue;
    return errno != EAGAIN && errno != EWOULDBLOCK;  // other errors: treat as closed
  }
}

}  // namespace

Result<ChildRun> RunChild(const std::vector<std::string>& argv, const std::string& stderr_path,
                          std::optional<std::chrono::microseconds> kill_after,
                          std::chrono::seconds hang_limit) {
  if (argv.empty()) return InvalidArgument("RunChild: empty argv");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Errno("pipe2");
  Fd read_end{fds[0]}, write_end{fds[1]};
  if (::fcntl(read_end.fd, F_SETFL, O_NONBLOCK) != 0) return Errno("fcntl");

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.fd, 1);  // dup2 drops O_CLOEXEC
  posix_spawn_file_actions_addopen(&actions, 2,
                                   stderr_path.empty() ? "/dev/null" : stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = 0;
  Clock::time_point start = Clock::now();
  int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Internal("posix_spawn " + argv[0] + ": " + std::strerror(rc));
  ::close(write_end.fd);  // so that EOF on the read end means the child let go of stdout
  write_end.fd = -1;

  ChildRun run;
  Clock::time_point deadline = start + (kill_after ? *kill_after : hang_limit);
  bool eof = false;
  while (!eof) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    timespec ts{static_cast<time_t>(left.count() / 1'000'000'000),
                static_cast<long>(left.count() % 1'000'000'000)};
    pollfd p{read_end.fd, POLLIN, 0};
    int n = ::ppoll(&p, 1, &ts, nullptr);
    if (n < 0 && errno != EINTR) return Errno("ppoll");
    if (n > 0) eof = Drain(read_end.fd, run.out);
  }
  run.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  bool hung = false;
  if (!eof) {
    // Sent before waitpid: an exited child is a zombie until reaped, so `pid` is still ours.
    ::kill(pid, SIGKILL);
    run.killed = kill_after.has_value();
    hung = !kill_after.has_value();
    // The kernel closes the child's stdout as it dies; what it wrote first is still ours.
    ::fcntl(read_end.fd, F_SETFL, 0);
    while (!Drain(read_end.fd, run.out)) {
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Errno("waitpid");
  }
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  if (hung) {
    return Internal(argv[0] + " did not finish within " + std::to_string(hang_limit.count()) +
                    " s; killed");
  }
  return run;
}

}  // namespace closeloop::testing
