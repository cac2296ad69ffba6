// Kills `closeloop publish` with SIGKILL at random moments and checks that the log never
// holds part of a file: the all-or-nothing promise of publish, end to end through a real
// process, a real RocksDB directory and its crash recovery.
//
// Knobs (environment): CLOSELOOP_CRASH_SEED (printed every run; set it to replay the same
// schedule), CLOSELOOP_CRASH_FILES (20), CLOSELOOP_CRASH_RECORDS (5000 per file),
// CLOSELOOP_CRASH_BUDGET_S (35: no new run starts after this), CLOSELOOP_CRASH_SPLIT=1
// (publish each file as two halves, two processes: a non-atomic publisher this test must
// catch — it fails on purpose).
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "connectors/rocksdb/embedded_log.h"
#include "connectors/rocksdb/log_verify.h"
#include "tests/crash/committed_probe.h"
#include "tests/crash/corpus.h"
#include "tests/crash/log_check.h"
#include "tests/support/child_process.h"

namespace closeloop::crash {
namespace {

namespace fs = std::filesystem;
using std::chrono::microseconds;
using Clock = std::chrono::steady_clock;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::strtoull(v, nullptr, 10) : fallback;
}

std::string Tail(const fs::path& file, size_t bytes = 2000) {
  std::ifstream in(file);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

// When to kill the next run. A publish spends most of its time starting, opening the
// database and validating; the write itself is a few milliseconds near the end. Uniform
// delays would almost never land there, so half the kills follow a staircase: after a
// kill that left the file committed the aim moves earlier, after one that left nothing
// it moves later, which holds it at the moment the batch becomes durable.
class KillSchedule {
 public:
  enum class Kind { kFinish, kUniform, kAimed };

  explicit KillSchedule(uint64_t seed) : rng_(seed) {}

  // The next run's kill delay (nullopt: let it finish). The first run always finishes: it
  // measures how long a publish takes.
  std::optional<microseconds> Next(Kind* kind) {
    double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (typical_us_ == 0 || r < 0.2) {
      *kind = Kind::kFinish;
      return std::nullopt;
    }
    if (r < 0.5) {
      *kind = Kind::kUniform;
      return Us(std::uniform_real_distribution<double>(0, 1.3 * typical_us_)(rng_));
    }
    *kind = Kind::kAimed;
    double jitter = 0.06 * typical_us_;
    return Us(aim_us_ + std::uniform_real_distribution<double>(-jitter, jitter)(rng_));
  }

  // What the run did: how long it took when it finished by itself, whether the file was
  // committed when it ended.
  void Observe(Kind kind, bool finished, microseconds elapsed, bool committed) {
    if (finished && kind == Kind::kFinish) {
      double e = static_cast<double>(elapsed.count());
      typical_us_ = typical_us_ == 0 ? e : 0.7 * typical_us_ + 0.3 * e;
      if (aim_us_ == 0) aim_us_ = 0.8 * typical_us_;
    }
    if (kind == Kind::kAimed && !finished) {
      aim_us_ += (committed ? -0.03 : 0.03) * typical_us_;
      aim_us_ = std::clamp(aim_us_, 0.05 * typical_us_, 1.5 * typical_us_);
    }
  }

  double typical_ms() const { return typical_us_ / 1000; }
  double aim_ms() const { return aim_us_ / 1000; }

 private:
  static microseconds Us(double us) {
    return microseconds(static_cast<int64_t>(std::max(us, 0.0)));
  }

  std::mt19937_64 rng_;
  double typical_us_ = 0;
  double aim_us_ = 0;
};

struct Tally {
  int runs = 0, finished = 0, killed = 0;
  int killed_before_commit = 0;  // the log did not grow
  int killed_after_commit = 0;   // the log grew, but no "appended" line came out
  int killed_after_ack = 0;      // it printed, then died on its way out
  int bad_steps = 0;             // runs after which the log grew by other than 0 or a file
};

bool Acknowledged(const std::string& out, uint32_t records) {
  return out.find("appended " + std::to_string(records) + " record(s)") != std::string::npos;
}

// One publish of one file as the test's client sees it: one process, or with `split` two
// processes for the two halves (the kill deadline spanning both).
struct Attempt {
  bool finished = true;  // no process of it was killed
  bool acked = false;
  microseconds elapsed{0};
};

Attempt Publish(const fs::path& data, const std::vector<fs::path>& parts, uint32_t records,
                std::optional<microseconds> kill_after, const fs::path& stderr_log) {
  Attempt a;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::optional<microseconds> left;
    if (kill_after) left = std::max(microseconds(0), *kill_after - a.elapsed);
    auto run =
        testing::RunChild({CLOSELOOP_BIN, "publish", "--data", data.string(), parts[i].string()},
                          stderr_log.string(), left);
    REQUIRE_MESSAGE(run.ok(), run.status().ToString());
    a.elapsed += run->elapsed;
    if (run->killed) {
      REQUIRE_MESSAGE((run->signal == SIGKILL || run->exit_code == 0),
                      "publish ended with exit " << run->exit_code << " signal " << run->signal
                                                 << "; stderr:\n"
                                                 << Tail(stderr_log));
      a.finished = false;
      a.acked = i + 1 == parts.size() && Acknowledged(run->out, records / parts.size());
      if (run->signal == SIGKILL) return a;
    } else {
      REQUIRE_MESSAGE(run->exit_code == 0, "publish exited " << run->exit_code << " signal "
                                                             << run->signal << "; stderr:\n"
                                                             << Tail(stderr_log));
      a.acked = i + 1 == parts.size() && Acknowledged(run->out, records / parts.size());
    }
  }
  return a;
}

TEST_CASE(
    "publish killed at random moments leaves each file whole or absent, acknowledged "
    "files whole, and no duplicates") {
  const uint64_t seed = EnvOr("CLOSELOOP_CRASH_SEED", std::random_device{}());
  const uint32_t nfiles = static_cast<uint32_t>(EnvOr("CLOSELOOP_CRASH_FILES", 20));
  const uint32_t records = static_cast<uint32_t>(EnvOr("CLOSELOOP_CRASH_RECORDS", 5000));
  const auto budget = std::chrono::seconds(EnvOr("CLOSELOOP_CRASH_BUDGET_S", 35));
  const bool split = EnvOr("CLOSELOOP_CRASH_SPLIT", 0) != 0;
  constexpr int kMaxPublishes = 4;  // per file; a file killed this often before its write stays out
  std::printf(
      "crash_test: seed %llu (replay with CLOSELOOP_CRASH_SEED=%llu), %u files x %u "
      "records%s\n",
      static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed), nfiles, records,
      split ? ", SPLIT publisher (expected to fail)" : "");
  REQUIRE(records % 2 == 0);

  const fs::path work = fs::temp_directory_path() / ("cl-crash-" + std::to_string(::getpid()));
  const fs::path data = work / "data", stderr_log = work / "publish-stderr.log";
  fs::remove_all(work);
  fs::create_directories(work);
  std::vector<std::vector<fs::path>> parts(nfiles);
  for (uint32_t f = 0; f < nfiles; ++f) {
    if (split) {
      parts[f] = {work / ("f" + std::to_string(f) + "a.jsonl"),
                  work / ("f" + std::to_string(f) + "b.jsonl")};
      REQUIRE(WriteCorpusFile(parts[f][0], f, 0, records / 2).ok());
      REQUIRE(WriteCorpusFile(parts[f][1], f, records / 2, records).ok());
    } else {
      parts[f] = {work / ("f" + std::to_string(f) + ".jsonl")};
      REQUIRE(WriteCorpusFile(parts[f][0], f, 0, records).ok());
    }
  }

  std::vector<FileHistory> history(nfiles, FileHistory{.records = records});
  KillSchedule schedule(seed);
  Tally tally;
  uint64_t committed = 0;
  const Clock::time_point start = Clock::now();
  for (uint32_t f = 0; f < nfiles && Clock::now() - start < budget;) {
    KillSchedule::Kind kind;
    std::optional<microseconds> kill_after = schedule.Next(&kind);
    Attempt a = Publish(data, parts[f], records, kill_after, stderr_log);
    ++tally.runs;
    ++history[f].publishes;

    auto after = CommittedRecords(data.string());
    REQUIRE_MESSAGE(after.ok(), "after run " << tally.runs << ": " << after.status().ToString());
    const uint64_t grew = *after - committed;
    committed = *after;
    if (grew != 0 && grew != records) {
      ++tally.bad_steps;
      FAIL_CHECK("run " << tally.runs << " (file " << f << ") grew the log by " << grew
                        << " records, not 0 or " << records);
    }
    if (a.acked)
      CHECK_MESSAGE(grew == records, "file " << f << " acknowledged; the log grew by " << grew);
    if (grew == records) ++history[f].committed;
    history[f].acknowledged |= a.acked;
    schedule.Observe(kind, a.finished, a.elapsed, grew != 0);

    if (a.finished) {
      ++tally.finished;
    } else {
      ++tally.killed;
      if (a.acked) {
        ++tally.killed_after_ack;
      } else if (grew != 0) {
        ++tally.killed_after_commit;
      } else {
        ++tally.killed_before_commit;
      }
    }
    // A file is published again only when the log shows nothing of it: it is never
    // published twice on purpose, so any second copy is the log's fault.
    if (grew != 0 || a.acked || history[f].publishes >= kMaxPublishes) ++f;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  auto db = rocks::RocksDb::Open(data.string(), {});
  REQUIRE_MESSAGE(db.ok(), db.status().ToString());
  auto log = rocks::EmbeddedLog::Open(db->get(), 0);
  REQUIRE_MESSAGE(log.ok(), log.status().ToString());
  auto verified = rocks::VerifyLog(**log);
  CHECK_MESSAGE(verified.ok(), verified.status().ToString());
  auto report = CheckLog(**log, history);
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  for (const auto& problem : report->problems) FAIL_CHECK(problem);

  int present = 0, acked = 0, attempted = 0;
  for (uint32_t f = 0; f < nfiles; ++f) {
    present += report->copies[f] == 1;
    acked += history[f].acknowledged;
    attempted += history[f].publishes > 0;
  }
  std::printf(
      "crash_test: %d runs in %.1f s (a publish takes ~%.0f ms; aimed kills at ~%.0f ms): "
      "%d finished, %d killed = %d before the commit + %d after the commit but before "
      "the ack + %d after the ack; %d of %d files attempted, %d acknowledged, %d in the "
      "log (%llu records), %zu problems\n",
      tally.runs, seconds, schedule.typical_ms(), schedule.aim_ms(), tally.finished, tally.killed,
      tally.killed_before_commit, tally.killed_after_commit, tally.killed_after_ack, attempted,
      nfiles, acked, present, static_cast<unsigned long long>(report->records),
      report->problems.size());
  // A run that killed nothing or acknowledged nothing would prove nothing.
  CHECK(tally.killed_before_commit > 0);
  CHECK(acked > 0);
  CHECK(report->records == uint64_t{records} * present);

  const bool clean = report->problems.empty() && verified.ok() && tally.bad_steps == 0;
  log->reset();
  db->reset();
  if (clean) {
    fs::remove_all(work);
  } else {
    std::printf("crash_test: data kept in %s\n", work.c_str());
  }
}

}  // namespace
}  // namespace closeloop::crash
