// Exactly-once processing under kill -9: `closeloop process` (the code path `serve` runs) is
// killed at seeded-random moments while it works through a backlog of events, restarted, and
// killed again, until one run finishes. The state must then equal, byte for byte (digest), a
// clean run's over the same log; re-running every decision must find each emitted record in
// the log exactly once (no record lost, none applied or emitted twice); the hash chain holds.
// CLOSELOOP_CRASH_SEED replays a kill schedule.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>

#include "tests/support/child_process.h"

namespace closeloop::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::microseconds;

const std::string kBin = CLOSELOOP_BIN;
const std::string kSrc = CLOSELOOP_SOURCE_DIR;

ChildRun Run(const std::vector<std::string>& args, const std::string& err,
             std::optional<microseconds> kill_after = std::nullopt) {
  std::vector<std::string> argv = {kBin};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = RunChild(argv, err, kill_after, std::chrono::seconds(300));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

std::string Digest(const std::string& out) {
  std::smatch m;
  REQUIRE(std::regex_search(out, m, std::regex("digest ([0-9a-f]{64})")));
  return m[1];
}

// Reference data, two workflows and a backlog of events with the clock moving through them.
void BuildLog(const std::string& dir, const std::string& err, int events, uint64_t seed) {
  for (const char* f : {"calendars", "departments", "hazard_routing"}) {
    REQUIRE(Run({"publish", "--data", dir, kSrc + "/workflows/reference/" + f + ".jsonl"}, err)
                .exit_code == 0);
  }
  REQUIRE(Run({"deploy", "--data", dir, kSrc + "/engine/tests/workflows/hazard_disposal.wf",
               kSrc + "/engine/tests/workflows/oversight_case.wf"},
              err)
              .exit_code == 0);
  std::mt19937_64 rng(seed);
  const std::string file = dir + ".events.jsonl";
  std::ofstream out(file);
  int64_t now = 1772413200000;  // 2026-03-02 09:00 +08:00
  const char* categories[] = {"gas", "hazardous_chemicals", "fire_safety", "special_equipment"};
  for (int i = 0; i < events; ++i) {
    if (i % 50 == 0) {
      now += 3600 * 1000;
      out << R"({"source": "scheduler","body_type": "ClockTick","body": {"now": )" << now << "}}\n";
    }
    std::string subject = "ENT-" + std::to_string(10000 + rng() % 40).substr(0);  // ENT-100xx

    if (rng() % 3 == 0) {
      out << R"({"source": "iot","subject": ")" << subject
          << R"(","jurisdiction": "liuhe.getang.g02","occurred_at": )" << now
          << R"(,"body_type": "SensorAlarm","body": {"sensor_id": "S-)" << rng() % 7
          << R"(","state": "alarm","level": "critical"}})"
          << "\n";
    } else {
      out << R"({"source": "hotline","subject": ")" << subject
          << R"(","jurisdiction": "liuhe.getang.g02","occurred_at": )" << now
          << R"(,"body_type": "HazardReport","body": {"category": ")" << categories[rng() % 4]
          << R"(","severity": "general"}})"
          << "\n";
    }
  }
  out.close();
  REQUIRE(Run({"publish", "--data", dir, "--no-sync", file}, err).exit_code == 0);
}

TEST_CASE("kill -9 during processing loses nothing and applies nothing twice") {
  uint64_t seed = 20261122;
  if (const char* env = std::getenv("CLOSELOOP_CRASH_SEED")) seed = std::strtoull(env, nullptr, 10);
  CAPTURE(seed);
  MESSAGE("seed " << seed);
  const fs::path root =
      fs::temp_directory_path() / ("cl-process-kill-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const std::string err = (root / "stderr.log").string();
  const std::string clean = (root / "clean").string(), crashed = (root / "crashed").string();

  BuildLog(clean, err, 3000, seed);
  fs::copy(clean, crashed, fs::copy_options::recursive);

  ChildRun reference = Run({"process", "--data", clean}, err);
  REQUIRE(reference.exit_code == 0);
  const std::string expected = Digest(reference.out);
  const auto clean_time = reference.elapsed;
  MESSAGE("a clean run takes " << clean_time.count() / 1000 << " ms");

  std::mt19937_64 rng(seed);
  int kills = 0, runs = 0;
  for (; runs < 40; ++runs) {
    // The first kills land early in a run (a restart has to open the database and rebuild
    // its World first), later ones anywhere up to 120% of a clean run, so some land after
    // the work is done but before the process exits.
    const int64_t t = clean_time.count();
    const int64_t span = runs < 6 ? t / 2 : t * 12 / 10;
    auto delay =
        microseconds(t / 20 + static_cast<int64_t>(rng() % static_cast<uint64_t>(span + 1)));
    ChildRun r = Run({"process", "--data", crashed}, err, delay);
    if (!r.killed) {
      REQUIRE(r.exit_code == 0);
      break;
    }
    ++kills;
  }
  MESSAGE(kills << " kill(s) before a run finished");
  CHECK(kills > 0);
  if (runs == 40) REQUIRE(Run({"process", "--data", crashed}, err).exit_code == 0);

  CHECK(Digest(Run({"digest", "--data", crashed}, err).out) == expected);
  CHECK(Run({"log", "verify", "--data", crashed}, err).exit_code == 0);
  ChildRun again =
      Run({"replay", "--data", crashed, "--into", (root / "again").string(), "--reprocess"}, err);
  CHECK_MESSAGE(again.exit_code == 0, again.out);
  CHECK(again.out.find("mismatches 0") != std::string::npos);
  CHECK(Digest(again.out) == expected);
  fs::remove_all(root);
}

TEST_CASE(
    "kill -9 of a serving process while clock records stream in leaves a log that replays "
    "exactly") {
  uint64_t seed = 7;
  if (const char* env = std::getenv("CLOSELOOP_CRASH_SEED")) seed = std::strtoull(env, nullptr, 10);
  CAPTURE(seed);
  const fs::path root = fs::temp_directory_path() / ("cl-serve-kill-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const std::string err = (root / "stderr.log").string();
  const std::string data = (root / "data").string();
  BuildLog(data, err, 1500, seed);

  // The server's scheduler appends a clock record every 20 ms, each a simulated 10 minutes,
  // so deadlines pass and the ladder fires while we kill it.
  std::mt19937_64 rng(seed);
  int kills = 0;
  for (int run = 0; run < 8; ++run) {
    auto delay = std::chrono::milliseconds(300 + static_cast<int64_t>(rng() % 1500));
    ChildRun r = Run({"serve", "--data", data, "--http", "127.0.0.1:0", "--clock-speed", "30000",
                      "--tick", "20ms"},
                     err, std::chrono::duration_cast<microseconds>(delay));
    REQUIRE(r.killed);
    ++kills;
  }
  CHECK(kills == 8);
  // Whatever was appended before the last kill is processed now, then checked two ways.
  REQUIRE(Run({"process", "--data", data}, err).exit_code == 0);
  CHECK(Run({"log", "verify", "--data", data}, err).exit_code == 0);
  const std::string live = Digest(Run({"digest", "--data", data}, err).out);
  ChildRun rebuilt = Run({"replay", "--data", data, "--into", (root / "rebuilt").string()}, err);
  CHECK(Digest(rebuilt.out) == live);
  ChildRun again =
      Run({"replay", "--data", data, "--into", (root / "again").string(), "--reprocess"}, err);
  CHECK_MESSAGE(again.exit_code == 0, again.out);
  CHECK(again.out.find("mismatches 0") != std::string::npos);
  CHECK(Digest(again.out) == live);
  // The ladder did fire while the server was being killed.
  ChildRun overdue = Run({"tickets", "--data", data, "--overdue"}, err);
  CHECK(overdue.out.find("OVERDUE") != std::string::npos);
  fs::remove_all(root);
}

}  // namespace
}  // namespace closeloop::testing
