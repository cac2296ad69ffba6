// The `closeloop` command as a user runs it: publish all-or-nothing with precise errors,
// then verify and dump what was appended.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/cli/cli_dir.h"

namespace closeloop::testing {
namespace {

namespace fs = std::filesystem;

struct Cli : CliDir {
  Cli() : CliDir("cli") {}
};

const char* kGood =
    R"({"source": "hotline","subject": "ENT-1","occurred_at": 1767225600000,"body_type": "HazardReport","body": {"category": "gas"}})";

TEST_CASE(
    "publishing a file with one bad line appends nothing and names the line, column and field") {
  Cli cli;
  std::string bad = cli.Write(
      "bad.jsonl",
      std::string(kGood) + "\n" +
          R"({"source": "hotline","subject": "ENT-1","occurred_at": 1767225600000,"body_type": "HazardReport","body": {"category": "gas","severity": "huge"}})" +
          "\n" + kGood + "\n");
  ChildRun r = cli.Run({"publish", "--data", cli.data, bad});
  CHECK(r.exit_code == 1);
  CHECK(cli.Stderr().find(bad + ":2:137: body.severity: unknown enum value: huge") !=
        std::string::npos);
  CHECK(cli.Stderr().find("nothing was appended") != std::string::npos);
  ChildRun verify = cli.Run({"log", "verify", "--data", cli.data});
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find("ok: 0 records") != std::string::npos);
}

TEST_CASE("a good file is appended whole, verifies, and dumps back as JSON") {
  Cli cli;
  std::string good = cli.Write("good.jsonl", std::string(kGood) + "\n" + kGood + "\n");
  ChildRun r = cli.Run({"publish", "--data", cli.data, good});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("appended 2 record(s)") != std::string::npos);
  CHECK(cli.Run({"log", "verify", "--data", cli.data}).out.find("ok: 2 records") !=
        std::string::npos);
  ChildRun dump = cli.Run({"log", "dump", "--data", cli.data});
  CHECK(dump.out.find("\"body_type\": \"HazardReport\"") != std::string::npos);
  CHECK(dump.out.find("\"prev_hash\": \"") != std::string::npos);
}

TEST_CASE("a workflow with an error is not deployed, and the diagnostic points at it") {
  Cli cli;
  std::string wf = cli.Write(
      "bad.wf",
      "workflow w version 1 loop prevention\nstart on NoSuchEvent enter a\nstate a terminal\n");
  ChildRun r = cli.Run({"deploy", "--data", cli.data, wf});
  CHECK(r.exit_code == 1);
  CHECK(cli.Stderr().find("bad.wf:2:10: error[") != std::string::npos);
  CHECK(cli.Stderr().find("nothing was deployed") != std::string::npos);
}

std::string RequestWorkflow(const std::string& name, int version, const std::string& code) {
  return "workflow " + name + " version " + std::to_string(version) + " loop request\nservice " +
         code + " title \"" + code +
         "\"\nstart on ServiceRequest enter open\nstate open\n  on close by assignee -> "
         "done\nstate done terminal\n";
}

TEST_CASE(
    "a service moves from one workflow to another in one deploy, whatever the files' order; "
    "a service two workflows would offer is refused before anything is appended") {
  Cli cli;
  REQUIRE(cli.Run({"deploy", "--data", cli.data,
                   cli.Write("zeta.wf", RequestWorkflow("zeta", 1, "pothole"))})
              .exit_code == 0);
  // alpha takes pothole over; zeta's next version gives it up. alpha sorts first.
  ChildRun moved = cli.Run({"deploy", "--data", cli.data,
                            cli.Write("alpha.wf", RequestWorkflow("alpha", 1, "pothole")),
                            cli.Write("zeta2.wf", RequestWorkflow("zeta", 2, "streetlight"))});
  CHECK_MESSAGE(moved.exit_code == 0, cli.Stderr());
  CHECK(moved.out.find("deployed 2 workflow(s)") != std::string::npos);
  // Appended in an order the engine takes: zeta v2 before alpha, nothing refused.
  REQUIRE(cli.Run({"process", "--data", cli.data}).exit_code == 0);
  ChildRun log = cli.Run({"log", "dump", "--data", cli.data});
  CHECK(log.out.find("CommandRejected") == std::string::npos);
  CHECK(log.out.find("\"alpha\"") != std::string::npos);
  CHECK(log.out.find("workflow zeta version 2") < log.out.find("\"alpha\""));
  ChildRun rival = cli.Run({"deploy", "--data", cli.data,
                            cli.Write("omega.wf", RequestWorkflow("omega", 1, "streetlight"))});
  CHECK(rival.exit_code == 1);
  CHECK(cli.Stderr().find("service streetlight is already offered by workflow zeta") !=
        std::string::npos);
  CHECK(cli.Stderr().find("nothing was deployed") != std::string::npos);
  ChildRun dump = cli.Run({"log", "dump", "--data", cli.data});
  CHECK(dump.out.find("omega") == std::string::npos);
}

std::string Tick(int64_t now) {
  return R"({"source": "import","body_type": "ClockTick","body": {"now": )" + std::to_string(now) +
         "}}\n";
}

TEST_CASE("time does not go backwards: a file whose ticks do is refused, a late tick is recorded") {
  Cli cli;
  // Within a file: the line of the backward tick and the line of the tick it goes behind.
  std::string back = cli.Write(
      "back.jsonl", Tick(1767225600000) + kGood + "\n" + Tick(1767229200000) + Tick(1767225660000));
  ChildRun r = cli.Run({"publish", "--data", cli.data, back});
  CHECK(r.exit_code == 1);
  CHECK(cli.Stderr().find(back + ":4:1: body.now: the clock goes backwards: 1767225660000 ms is "
                                 "before the tick on line 3 (1767229200000 ms)") !=
        std::string::npos);
  CHECK(cli.Stderr().find("nothing was appended") != std::string::npos);
  // Across files: the engine takes the first, and refuses the later tick that is earlier,
  // on the log, giving both times; its clock stays where it was.
  REQUIRE(cli.Run({"publish", "--data", cli.data, cli.Write("a.jsonl", Tick(1767229200000))})
              .exit_code == 0);
  REQUIRE(cli.Run({"process", "--data", cli.data}).exit_code == 0);
  REQUIRE(cli.Run({"publish", "--data", cli.data, cli.Write("b.jsonl", Tick(1767225600000))})
              .exit_code == 0);
  REQUIRE(cli.Run({"process", "--data", cli.data}).exit_code == 0);
  ChildRun dump = cli.Run({"log", "dump", "--data", cli.data});
  CHECK(dump.out.find("\"verb\": \"apply ClockTick\"") != std::string::npos);
  CHECK(dump.out.find("time does not go backwards: the tick at 1767225600000 ms is before the "
                      "engine's clock at 1767229200000 ms") != std::string::npos);
}

}  // namespace
}  // namespace closeloop::testing
