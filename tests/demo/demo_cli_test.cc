// `closeloop demo` as a user runs it: the same file for the same seed, and a file that,
// published into an empty data directory and processed, brings the city's loops to life.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "tests/demo/cli.h"

namespace closeloop::testing {
namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_CASE(
    "closeloop demo writes the same bytes for the same scale and seed, other bytes for another "
    "seed") {
  DemoCli cli("demo-bytes");
  const auto a = cli.root / "a.jsonl", b = cli.root / "b.jsonl", c = cli.root / "c.jsonl";
  for (const auto& [file, seed] : {std::pair{a, "7"}, std::pair{b, "7"}, std::pair{c, "8"}}) {
    ChildRun r = cli.Run(
        {"demo", "--scale", "small", "--seed", seed, "--days", "3", "--out", file.string()});
    REQUIRE(r.exit_code == 0);
  }
  const std::string first = ReadFile(a);
  CHECK(first.size() > 100'000);
  CHECK(first == ReadFile(b));
  CHECK(first != ReadFile(c));
}

TEST_CASE(
    "the city is built into the binary: a copy run far from the source tree writes the same "
    "stream") {
  DemoCli cli("demo-builtin");
  // The binary alone, in a directory with no workflows anywhere above it.
  const auto bin = cli.root / "bin" / "closeloop";
  std::filesystem::create_directories(bin.parent_path());
  std::filesystem::copy_file(CLOSELOOP_BIN, bin);
  const auto alone = cli.root / "alone.jsonl", tree = cli.root / "tree.jsonl";
  auto r = RunChild({bin.string(), "demo", "--scale", "small", "--seed", "7", "--days", "2",
                     "--out", alone.string()},
                    (cli.root / "alone.err").string(), std::nullopt, std::chrono::seconds(120));
  REQUIRE(r.ok());
  REQUIRE_MESSAGE(r->exit_code == 0, ReadFile(cli.root / "alone.err"));
  // The same city from the source tree's files, through --workflows.
  ChildRun t = cli.Run({"demo", "--scale", "small", "--seed", "7", "--days", "2", "--workflows",
                        std::string(CLOSELOOP_SOURCE_DIR) + "/workflows", "--out", tree.string()});
  REQUIRE(t.exit_code == 0);
  const std::string built_in = ReadFile(alone);
  CHECK(Count(built_in, "\"body_type\":\"WorkflowDeployed\"") >= 7);
  CHECK(built_in == ReadFile(tree));
  // A directory that is not a city is refused, naming what is missing.
  ChildRun bad = cli.Run({"demo", "--scale", "small", "--workflows", cli.root.string(), "--out",
                          (cli.root / "bad.jsonl").string()});
  CHECK(bad.exit_code != 0);
}

TEST_CASE(
    "a small demo stream published into an empty data directory and processed opens tickets in "
    "every loop, lets some run overdue to the discipline inspectors, and no staff command is "
    "rejected") {
  DemoCli cli("demo-roundtrip");
  const std::string file = (cli.root / "small.jsonl").string();
  const std::string data = (cli.root / "data").string();
  ChildRun gen = cli.Run({"demo", "--scale", "small", "--seed", "1", "--out", file});
  REQUIRE(gen.exit_code == 0);
  CHECK(cli.Stderr().find("336 enterprises") != std::string::npos);
  ChildRun pub = cli.Run({"publish", "--data", data, file});
  REQUIRE(pub.exit_code == 0);
  ChildRun proc = cli.Run({"process", "--data", data});
  REQUIRE(proc.exit_code == 0);

  std::set<std::string> loops;
  size_t overdue = 0, oversight = 0, rectified = 0, false_alarms = 0, arbitrated = 0;
  for (const auto& t : cli.Tickets(data)) {
    loops.insert(t["loop"].get<std::string>());
    if (t["overdue"].get<bool>() && !t["closed"].get<bool>()) ++overdue;
    const std::string lead = t["lead"];
    if (t["workflow"] == "oversight_case" && !t["parent_id"].get<std::string>().empty() &&
        lead.size() > 3 && lead.substr(lead.size() - 3) == ".jw") {
      ++oversight;
    }
    if (t["resolution"] == "rectified") ++rectified;
    if (t["resolution"] == "false_alarm") ++false_alarms;
    if (t["returns"].get<int>() >= 3 && !t["escalated_to"].get<std::string>().empty()) ++arbitrated;
  }
  CHECK(loops == std::set<std::string>{"prevention", "violation", "incident", "request"});
  CHECK(overdue > 50);
  CHECK(oversight > 20);
  CHECK(rectified > 100);    // staff worked orders through review
  CHECK(false_alarms > 10);  // and dismissed some on site
  CHECK(arbitrated > 5);     // ping-pong went to the safety-committee office

  // Foresight named every ticket as the engine did, and staff only took open transitions.
  ChildRun dump = cli.Run({"log", "dump", "--data", data});
  REQUIRE(dump.exit_code == 0);
  CHECK(Count(dump.out, "\"body_type\": \"StaffCommand\"") > 1000);
  CHECK(Count(dump.out, "\"body_type\": \"CommandRejected\"") == 0);
}

}  // namespace
}  // namespace closeloop::testing
