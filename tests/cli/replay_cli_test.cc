// An operator rebuilds a node's state into a new directory (`closeloop replay --into`, the
// way out of an old state format) and goes on with the new directory: it carries the log
// verbatim, its digest is the old one's, every ticket's history reads the same (histories
// are positions in that log), and it takes new records.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/cli/cli_dir.h"

namespace closeloop::testing {
namespace {

std::string Source(const std::string& relative) {
  return std::string(CLOSELOOP_SOURCE_DIR) + "/" + relative;
}

// The line that starts with `prefix`, or "".
std::string LineStarting(const std::string& text, const std::string& prefix) {
  size_t at = text.find(prefix);
  if (at == std::string::npos) return "";
  return text.substr(at, text.find('\n', at) - at);
}

TEST_CASE("a node replayed into a new directory is whole: same log, digest and histories") {
  CliDir cli("replay");
  for (const char* f : {"calendars", "departments", "hazard_routing"}) {
    REQUIRE(cli.Run({"publish", "--data", cli.data,
                     Source("workflows/reference/" + std::string(f) + ".jsonl")})
                .exit_code == 0);
  }
  REQUIRE(
      cli.Run({"deploy", "--data", cli.data, Source("engine/tests/workflows/hazard_disposal.wf"),
               Source("engine/tests/workflows/oversight_case.wf")})
          .exit_code == 0);
  REQUIRE(cli.Run({"publish", "--data", cli.data, Source("docs/examples/clock.jsonl")}).exit_code ==
          0);
  REQUIRE(cli.Run({"publish", "--data", cli.data, Source("docs/examples/hazard_reports.jsonl")})
              .exit_code == 0);
  REQUIRE(cli.Run({"process", "--data", cli.data}).exit_code == 0);
  // The moment between the calls and the clock record twelve days on, on the log's own
  // recording clock (the wall clock that stamped `recorded_at`), for `replay --until` below.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int64_t before_the_tick = std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(cli.Run({"clock", "advance", "12d", "--data", cli.data}).exit_code == 0);
  const std::string digest = LineStarting(cli.Run({"digest", "--data", cli.data}).out, "digest ");
  REQUIRE(!digest.empty());
  const std::string verified = cli.Run({"log", "verify", "--data", cli.data}).out;
  ChildRun listed = cli.Run({"tickets", "--data", cli.data, "--json"});
  REQUIRE(listed.exit_code == 0);
  const std::string ticket = listed.out.substr(listed.out.find("\"id\":\"") + 6, 26);
  const std::string history = cli.Run({"history", ticket, "--data", cli.data, "--json"}).out;
  REQUIRE(history.find("TicketOverdue") != std::string::npos);  // 12 days on: late

  const std::string into = (cli.root / "rebuilt").string();
  ChildRun replay = cli.Run({"replay", "--data", cli.data, "--into", into});
  REQUIRE_MESSAGE(replay.exit_code == 0, cli.Stderr());
  CHECK(LineStarting(replay.out, "digest ") == digest);
  CHECK(cli.Run({"log", "verify", "--data", into}).out == verified);  // every head, every count
  CHECK(cli.Run({"history", ticket, "--data", into, "--json"}).out == history);
  CHECK(cli.Run({"tickets", "--data", into, "--json"}).out == listed.out);
  // The bureau's figures (engine/figures.h) come out of the rebuilt node the same, day by day:
  // the three calls of Monday 2 March, late at the clock record twelve days on.
  const std::string figures =
      cli.Run({"figures", "--data", cli.data, "--by", "day,department", "--json"}).out;
  CHECK(figures.find(R"("group":"2026-03-02 nj.liuhe.emb")") != std::string::npos);
  CHECK(figures.find(R"("group":"total","opened":3,)") != std::string::npos);
  CHECK(figures.find(R"("late":3,)") != std::string::npos);
  CHECK(cli.Run({"figures", "--data", into, "--by", "day,department", "--json"}).out == figures);
  // As of a moment (before the clock record): the log replayed up to it gives the figures as
  // they stood then, which are the days before the tick's read from the live node (a past
  // day's cells no longer change).
  const std::string then = (cli.root / "then").string();
  REQUIRE(cli.Run({"replay", "--data", cli.data, "--into", then, "--until",
                   std::to_string(before_the_tick)})
              .exit_code == 0);
  const std::string as_of = cli.Run({"figures", "--data", then, "--json"}).out;
  CHECK(as_of.find(R"("opened":3,)") != std::string::npos);
  CHECK(as_of.find(R"("late":0,)") != std::string::npos);
  CHECK(cli.Run({"figures", "--data", cli.data, "--to", "2026-03-05", "--json"}).out == as_of);
  CHECK(cli.Run({"figures", "--data", cli.data, "--by", "grid"}).exit_code == 2);

  // The new directory is a node: it processes nothing old and takes new records.
  ChildRun process = cli.Run({"process", "--data", into});
  CHECK(process.out.find("processed 0 record(s)") != std::string::npos);
  CHECK(LineStarting(process.out, "digest ") == digest);
  REQUIRE(cli.Run({"clock", "advance", "1d", "--data", into}).exit_code == 0);
  CHECK(cli.Run({"log", "verify", "--data", into}).exit_code == 0);
  CHECK(cli.Run({"history", ticket, "--data", into, "--json"}).exit_code == 0);

  // Into a directory that holds anything: refused, nothing touched.
  ChildRun again = cli.Run({"replay", "--data", cli.data, "--into", into});
  CHECK(again.exit_code != 0);
  CHECK(cli.Stderr().find("must be a new or empty directory") != std::string::npos);
}

}  // namespace
}  // namespace closeloop::testing
