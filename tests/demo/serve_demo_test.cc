// `closeloop serve --demo` as a newcomer starts it (what `make run` does): within a minute
// queues fill in several loops, deadlines pass and escalations reach the discipline
// inspectors, seen with `closeloop tickets` beside the running server; SIGTERM stops it.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "tests/demo/cli.h"

namespace closeloop::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Starts `closeloop args...` with stdout and stderr appended to `log`.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> argv;
    std::string bin = CLOSELOOP_BIN;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

// Waits up to `limit` for `pid`; its exit status, or -1 if it did not end (then killed).
int WaitFor(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (Clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

struct Seen {
  std::set<std::string> open_loops;
  size_t open = 0, overdue = 0, live_oversight = 0, live_closed = 0, live_opened = 0;
  bool Enough() const {
    return open_loops.size() >= 3 && overdue > 0 && live_oversight > 0 && live_closed > 0 &&
           live_opened > 0;
  }
};

TEST_CASE(
    "serve --demo fills queues in several loops, lets deadlines pass and escalates to the "
    "discipline inspectors within a minute, and stops cleanly on SIGTERM") {
  DemoCli cli("serve-demo");
  const std::string data = (cli.root / "data").string();
  const std::string log = (cli.root / "serve.log").string();
  // The live city opens on Mon 2026-03-16 08:00 after two weeks of seeded history.
  const int64_t live = ShanghaiMs(2026, 3, 16, 8);
  // Two simulated hours a second (the default is a minute a second: docs/console.md).
  pid_t pid = Spawn(
      {"serve", "--demo", "--clock-speed", "7200", "--data", data, "--http", "127.0.0.1:0"}, log);
  REQUIRE(pid > 0);

  Seen seen;
  const auto began = Clock::now();
  while (Clock::now() - began < std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::seconds(5));
    int status = 0;
    REQUIRE(::waitpid(pid, &status, WNOHANG) == 0);  // still serving
    seen = Seen{};
    for (const auto& t : cli.Tickets(data)) {
      const bool closed = t["closed"].get<bool>();
      const std::string lead = t["lead"];
      if (!closed) {
        ++seen.open;
        seen.open_loops.insert(t["loop"].get<std::string>());
        if (t["overdue"].get<bool>()) ++seen.overdue;
      }
      if (t["opened_at"].get<int64_t>() >= live) ++seen.live_opened;
      if (closed && t["closed_at"].get<int64_t>() >= live) ++seen.live_closed;
      if (t["workflow"] == "oversight_case" && t["opened_at"].get<int64_t>() >= live &&
          lead.size() > 3 && lead.substr(lead.size() - 3) == ".jw") {
        ++seen.live_oversight;
      }
    }
    if (seen.Enough()) break;
  }
  const double waited = std::chrono::duration<double>(Clock::now() - began).count();
  MESSAGE("after " << waited << " s: " << seen.open << " open tickets in " << seen.open_loops.size()
                   << " loops, " << seen.overdue << " overdue; live: " << seen.live_opened
                   << " opened, " << seen.live_closed << " closed, " << seen.live_oversight
                   << " escalated to the discipline inspectors");
  CHECK(seen.open_loops.size() >= 3);
  CHECK(seen.overdue > 0);
  CHECK(seen.live_opened > 0);
  CHECK(seen.live_closed > 0);     // staff worked tickets live
  CHECK(seen.live_oversight > 0);  // and some ran all the way up the ladder

  REQUIRE(::kill(pid, SIGTERM) == 0);
  CHECK(WaitFor(pid, std::chrono::seconds(20)) == 0);
  std::ifstream in(log);
  const std::string out((std::istreambuf_iterator<char>(in)), {});
  CHECK(out.find("demo: seeded") != std::string::npos);
  CHECK(out.find("stopped after processing") != std::string::npos);
  CHECK(out.find("demo: refused") == std::string::npos);
}

TEST_CASE(
    "serve --demo --city taicang runs Taicang's own units and people, and the data directory "
    "keeps its city: a restart as Nanjing is refused") {
  DemoCli cli("serve-taicang");
  const std::string data = (cli.root / "data").string();
  const std::string log = (cli.root / "serve.log").string();
  pid_t pid = Spawn({"serve", "--demo", "--city", "taicang", "--clock-speed", "7200", "--data",
                     data, "--http", "127.0.0.1:0"},
                    log);
  REQUIRE(pid > 0);
  std::set<std::string> loops, leads;
  size_t foreign = 0, tickets = 0;
  const auto began = Clock::now();
  while (Clock::now() - began < std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::seconds(5));
    int status = 0;
    REQUIRE(::waitpid(pid, &status, WNOHANG) == 0);
    loops.clear();
    leads.clear();
    foreign = 0;
    const auto all = cli.Tickets(data);
    tickets = all.size();
    for (const auto& t : all) {
      loops.insert(t["loop"].get<std::string>());
      const std::string lead = t["lead"];
      leads.insert(lead);
      if (lead.rfind("tc.", 0) != 0) ++foreign;
      for (const auto& a : t["assist"]) {
        if (a.get<std::string>().rfind("tc.", 0) != 0) ++foreign;
      }
    }
    if (loops.size() >= 3 && leads.count("tc.gangqu.emb") && leads.count("tc.fire")) break;
  }
  MESSAGE(tickets << " tickets in " << loops.size() << " loops, " << leads.size() << " leads");
  CHECK(loops.size() >= 3);
  CHECK(foreign == 0);                       // no ticket names a department outside Taicang
  CHECK(leads.count("tc.gangqu.emb") == 1);  // the port zone's safety office has work
  CHECK(leads.count("tc.fire") == 1);        // fire hazards lead at the city's brigade
  std::ifstream creds(cli.root / "data" / "demo-credentials.json");
  const std::string people((std::istreambuf_iterator<char>(creds)), {});
  CHECK(people.find("gangqu-emb-staff") != std::string::npos);
  CHECK(people.find("liuhe-emb-staff") == std::string::npos);
  REQUIRE(::kill(pid, SIGTERM) == 0);
  CHECK(WaitFor(pid, std::chrono::seconds(20)) == 0);

  const std::string again_log = (cli.root / "again.log").string();
  pid_t again = Spawn({"serve", "--demo", "--data", data, "--http", "127.0.0.1:0"}, again_log);
  CHECK(WaitFor(again, std::chrono::seconds(60)) != 0);
  std::ifstream in(again_log);
  const std::string out((std::istreambuf_iterator<char>(in)), {});
  CHECK(out.find("holds the demo of taicang") != std::string::npos);
}

}  // namespace
}  // namespace closeloop::testing
