// engine_bench: the whole engine on a real RocksDB data directory, each figure next to a
// reference measured in the same run on the same disk.
//
//   engine_bench [--inputs N] [--days D] [--partitions P] [--timers N]
//                [--open-tickets N,N,...] [--dir DIR] [--db-bench PATH] [--no-db-bench]
//                [--seed S] [--subject-probe K] [--skip mix,replay,timers,subject,memory]
//
// 1. mix: a realistic city's inputs (engine_bench_workload.h) published to the log first,
//    then processed as `closeloop process` does (one thread, round robin over partitions)
//    and, on a checkpoint of the same log, with one thread per partition as serve runs
//    them. Reference: db_bench fillseq with as many operations as inputs and a value as
//    big as the bytes the engine wrote per input (state + emitted records), batch 64
//    (the processor's records_per_commit), sync off.
// 2. replay: `closeloop replay` rebuild (apply recorded engine records) and reprocess
//    (re-decide and compare) of that log into fresh directories. Reference: reading the
//    same log with EmbeddedLog::Read (verified), and db_bench readseq.
// 3. timers: N tickets opened at one instant in `dispatched` (2-hour limit), then one
//    ClockTick past the deadline; the time to process that tick. Reference: db_bench
//    fillseq writing as many records of the same mean size as the tick emitted.
// 4. memory: N open tickets (a child process each, so its peak RSS is its own): VmHWM and
//    the data directory's size per ticket.
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <sstream>

#include "bench/engine_bench_latency.h"
#include "bench/engine_bench_support.h"
#include "bench/engine_bench_workload.h"
#include "bench/results.h"
#include "bench/stream.h"
#include "engine/keys.h"
#include "engine/queries.h"
#include "events/record.h"

namespace closeloop::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  uint64_t inputs = 200'000;
  int days = 28;
  uint32_t partitions = 4;
  uint64_t timers = 100'000;
  std::vector<uint64_t> open_tickets = {100'000, 300'000};
  fs::path dir = fs::temp_directory_path();
  std::string db_bench = "/usr/bin/db_bench";
  bool run_db_bench = true;
  uint64_t seed = 20260302;
  std::string skip;
  uint64_t subject_probe = 5000;
  uint64_t memory_child = 0;  // internal: run only the memory phase for this many tickets
  std::string streams;        // read mix.jsonl and timers.jsonl from here instead of generating
  std::string write_streams;  // only write the generated streams here, then exit
  double latency_rate = 500;  // offered records/s in the latency phase
  double latency_seconds = 40;
  std::string json;  // figures for bench/report.py
};

struct Row {
  std::string figure, ours, reference;
  double ratio = 0;
};
std::vector<Row> table;
std::vector<std::string> notes;
std::vector<Figure> figures;

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

const int64_t kStart = Shanghai(2026, 3, 2, 9);  // a Monday, 09:00

DbBenchRates Reference(const Options& o, const fs::path& dir, uint64_t num, size_t value,
                       size_t batch) {
  if (!o.run_db_bench) return {};
  return RunDbBench(o.db_bench, dir, num, value, batch);
}

double Ratio(double ours, double ref) { return ref > 0 ? ours / ref : 0; }

// Engine records in the log by type, CommandRejected by reason.
std::map<std::string, uint64_t> CountTypes(const events::Log& log, ReadRun* run) {
  std::map<std::string, uint64_t> types;
  *run = ReadWholeLog(log, [&](const events::StoredRecord& r) {
    const fb::Record* rec = *events::VerifyRecord(r.bytes);
    std::string name(events::BodyName(rec->body_type()));
    if (rec->body_type() == fb::Body::CommandRejected) {
      name += std::string("/") + fb::EnumNameRejectReason(rec->body_as_CommandRejected()->reason());
    }
    ++types[name];
  });
  return types;
}

uint64_t CountKeys(const engine::StateReader& state, uint32_t partitions,
                   std::string (*prefix)(uint32_t)) {
  uint64_t n = 0;
  for (uint32_t p = 0; p < partitions; ++p) {
    std::string from = prefix(p);
    Check(state.Scan(from, engine::keys::PrefixEnd(from),
                     [&](std::string_view, std::string_view) {
                       ++n;
                       return true;
                     }),
          "scanning");
  }
  return n;
}
std::string OverduePrefix(uint32_t p) { return engine::keys::Overdue(p, ""); }
std::string TicketPrefix(uint32_t p) { return engine::keys::Ticket(p, ""); }

void RunMixAndReplay(const Options& o, const fs::path& streams, const MixCounts* expected,
                     const fs::path& root) {
  const fs::path live = root / "mix", threads_dir = root / "mix-threads";
  uint64_t inputs = 0, lines = 0;
  double publish_secs = 0;
  {
    // As `closeloop publish` appends a file: every record decoded and validated, the log's
    // appends fsynced (1,000 records per append here, one batch per file there).
    BenchNode n = BenchNode::Open(live, o.partitions, /*read_only=*/false, /*sync=*/true);
    Publisher pub(*n.log, 1000);
    auto start = Clock::now();
    lines = ForEachStreamLine((streams / "mix.jsonl").string(), [&](StreamLine& l) {
      pub.Add(l.json, l.at_ms);
      return true;
    });
    pub.Flush();
    publish_secs = Seconds(start);
    inputs = pub.records();
    std::printf("mix: published %s lines of %s (%s log records) in %.1f s, fsync per append\n",
                Thousands(lines).c_str(), (streams / "mix.jsonl").c_str(),
                Thousands(inputs).c_str(), publish_secs);
    if (expected != nullptr) {
      const MixCounts& mix = *expected;
      std::printf(
          "  %s clock ticks (x%u partitions), %s reports, %s storms (%s alarms), %s normal "
          "readings, %s staff commands; %s tickets expected\n",
          Thousands(mix.ticks).c_str(), o.partitions, Thousands(mix.reports).c_str(),
          Thousands(mix.storms).c_str(), Thousands(mix.alarms).c_str(),
          Thousands(mix.normals).c_str(), Thousands(mix.commands).c_str(),
          Thousands(mix.tickets).c_str());
    }
    n.CheckpointTo(threads_dir);
  }
  std::string digest_single;
  size_t bytes_per_input = 0;
  ReadRun read;
  {
    BenchNode n = BenchNode::Open(live, o.partitions);
    CountingStore counting(*n.store);
    // Counters only (no timers): what iterators had to step over, for the report.
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
    rocksdb::get_perf_context()->Reset();
    ProcessRun run = ProcessSingleThread(counting, *n.log);
    const rocksdb::PerfContext skipped = *rocksdb::get_perf_context();
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    const double bytes = static_cast<double>(counting.state_bytes() + counting.record_bytes());
    bytes_per_input = static_cast<size_t>(bytes / inputs + 0.5);
    std::printf(
        "mix, one thread: %s input records in %.1f s (%.1f s of CPU), %s log records read incl. "
        "the "
        "engine's own, %s emitted\n",
        Thousands(inputs).c_str(), run.seconds, run.cpu_seconds, Thousands(run.records).c_str(),
        Thousands(run.emitted).c_str());
    std::printf(
        "  written: %s state keys (%.0f MB), %s records (%.0f MB) in %s commits: %zu B per input\n",
        Thousands(counting.state_writes()).c_str(), counting.state_bytes() / 1e6,
        Thousands(counting.records()).c_str(), counting.record_bytes() / 1e6,
        Thousands(counting.commits()).c_str(), bytes_per_input);
    auto types = CountTypes(*n.log, &read);
    std::printf(
        "  RocksDB iterators stepped over %s deleted entries and %s hidden versions (perf_context "
        "internal_delete_skipped_count, internal_key_skipped_count): %s per clock tick processed\n",
        Thousands(skipped.internal_delete_skipped_count).c_str(),
        Thousands(skipped.internal_key_skipped_count).c_str(),
        Thousands(static_cast<double>(skipped.internal_delete_skipped_count) /
                  std::max<uint64_t>(types["ClockTick"], 1))
            .c_str());
    std::printf("  the log now holds:");
    for (const auto& [t, c] : types) std::printf(" %s %s;", t.c_str(), Thousands(c).c_str());
    std::printf("\n");
    uint64_t unknown =
        types.count("CommandRejected/unknown_ticket") ? types["CommandRejected/unknown_ticket"] : 0;
    if ((expected != nullptr && types["TicketOpened"] < expected->tickets) || unknown > 0) {
      Die("the mix did not open the tickets it expected or named unknown ones (engine ticket-id "
          "derivation "
          "changed?): opened " +
          std::to_string(types["TicketOpened"]) + ", unknown_ticket " + std::to_string(unknown));
    }
    digest_single = Check(engine::StateDigest(*n.store), "digest");
    n.Flush();
    const double disk = static_cast<double>(DirBytes(live));
    const double hwm_mb = ProcStatusKb("VmHWM") / 1024.0;
    std::map<std::string, double> ops;
    if (o.run_db_bench) {
      ops = RunDbBenchOps(o.db_bench, root / "db_bench", "fillseq,fillrandom,readseq,readrandom",
                          inputs, bytes_per_input, 64);
    }
    DbBenchRates ref{ops["fillseq"], ops["readseq"]};
    const double lps = lines / run.seconds, e2e = lines / (publish_secs + run.seconds);
    figures.push_back({"mix_e2e_events_per_s", "events/s end to end (publish fsynced + process)",
                       "events/s", e2e, true, "db_bench fillrandom", ops["fillrandom"]});
    figures.push_back({"mix_publish_events_per_s", "publish: events/s appended (fsync per 1,000)",
                       "events/s", lines / publish_secs, true, "", 0});
    figures.push_back({"mix_process_events_per_s", "process: events/s, one thread", "events/s", lps,
                       true, "db_bench fillseq", ops["fillseq"]});
    figures.push_back({"mix_disk_bytes_per_event", "disk per event (log + state, flushed)", "B",
                       disk / lines, false, "", 0});
    figures.push_back(
        {"mix_peak_rss_mb", "peak RSS, publish + process", "MB", hwm_mb, false, "", 0});
    figures.push_back(
        {"dbbench_fillseq", "db_bench fillseq", "ops/s", ops["fillseq"], true, "", 0});
    figures.push_back(
        {"dbbench_fillrandom", "db_bench fillrandom", "ops/s", ops["fillrandom"], true, "", 0});
    figures.push_back(
        {"dbbench_readrandom", "db_bench readrandom", "ops/s", ops["readrandom"], true, "", 0});
    notes.push_back("mix: " + std::to_string(lines) +
                    " events (stream lines) = " + std::to_string(inputs) +
                    " log records (a clock tick goes to every partition); "
                    "db_bench --value_size=" +
                    std::to_string(bytes_per_input) +
                    " (bytes the engine wrote per log record) --batch_size=64 --sync=0");
    table.push_back({"mix: inputs/s, one thread", Thousands(inputs / run.seconds),
                     Thousands(ref.fill), Ratio(inputs / run.seconds, ref.fill)});
    notes.push_back("mix reference: db_bench fillseq --num=" + std::to_string(inputs) +
                    " --value_size=" + std::to_string(bytes_per_input) +
                    " --batch_size=64 --sync=0 (" + Thousands(ref.fill) + " ops/s); readseq " +
                    Thousands(ref.read) + " ops/s");
    ProcessRun threaded;
    {
      BenchNode t = BenchNode::Open(threads_dir, o.partitions);
      threaded = ProcessThreaded(*t.store, *t.log);
      std::string digest_threads = Check(engine::StateDigest(*t.store), "digest");
      std::printf(
          "mix, %u threads: %s log records in %.1f s (%.1f s of CPU: %.2f cores busy); state "
          "digest %s "
          "the one-thread run's\n",
          o.partitions, Thousands(threaded.records).c_str(), threaded.seconds, threaded.cpu_seconds,
          threaded.cpu_seconds / threaded.seconds,
          digest_threads == digest_single ? "equals" : "DIFFERS FROM");
    }
    fs::remove_all(threads_dir);
    figures.push_back({"mix_process_events_per_s_threads",
                       "process: events/s, " + std::to_string(o.partitions) + " partition threads",
                       "events/s", lines / threaded.seconds, true, "db_bench fillseq",
                       ops["fillseq"]});
    figures.push_back({"log_read_records_per_s", "log read (verified): records/s", "records/s",
                       read.records / read.seconds, true, "db_bench readseq", ref.read});
    table.push_back({"mix: inputs/s, " + std::to_string(o.partitions) + " partition threads",
                     Thousands(inputs / threaded.seconds), Thousands(ref.fill),
                     Ratio(inputs / threaded.seconds, ref.fill)});
    table.push_back({"log read (EmbeddedLog::Read): records/s",
                     Thousands(read.records / read.seconds), Thousands(ref.read) + " (readseq)",
                     Ratio(read.records / read.seconds, ref.read)});
  }
  if (o.skip.find("replay") != std::string::npos) return;
  BenchNode source = BenchNode::Open(live, 0, /*read_only=*/true);
  for (engine::Mode mode : {engine::Mode::kRebuild, engine::Mode::kReprocess}) {
    const bool re = mode == engine::Mode::kReprocess;
    const fs::path into = root / (re ? "reprocess" : "rebuild");
    BenchNode target = BenchNode::Open(into, source.partitions());
    engine::ProcessorOptions opts;
    opts.mode = mode;
    opts.records_per_commit = 1024;  // as RunReplay (app/cmd_engine.cc)
    uint64_t records = 0, mismatches = 0;
    std::string first;
    auto start = Clock::now();
    for (uint32_t p = 0; p < source.partitions(); ++p) {
      engine::Processor proc(p, *source.log, *target.store, opts);
      Check(proc.Open(), "opening replay");
      Check(proc.ProcessAvailable(), "replaying");
      records += proc.stats().records;
      mismatches += proc.stats().mismatches;
      if (first.empty()) first = proc.stats().first_mismatch;
    }
    double secs = Seconds(start);
    std::string digest = Check(engine::StateDigest(*target.store), "digest");
    std::printf("replay %s: %s log records in %.1f s; digest %s the processed state%s%s\n",
                re ? "reprocess" : "rebuild", Thousands(records).c_str(), secs,
                digest == digest_single ? "equals" : "DIFFERS FROM",
                re ? (", mismatches " + std::to_string(mismatches)).c_str() : "",
                first.empty() ? "" : (": " + first).c_str());
    figures.push_back({std::string("replay_") + (re ? "reprocess" : "rebuild") + "_events_per_s",
                       std::string("replay ") + (re ? "reprocess" : "rebuild") + ": events/s (" +
                           Thousands(records / secs) + " log records/s)",
                       "events/s", lines / secs, true, "", 0});
    table.push_back({std::string("replay ") + (re ? "reprocess" : "rebuild") + ": log records/s",
                     Thousands(records / secs),
                     Thousands(read.records / read.seconds) + " (log read)",
                     Ratio(records / secs, read.records / read.seconds)});
    fs::remove_all(into);
  }
}

void RunTimers(const Options& o, const fs::path& streams, const fs::path& root) {
  const fs::path dir = root / "timers", copy = root / "timers-threads";
  uint64_t timers = 0;
  {
    BenchNode n = BenchNode::Open(dir, o.partitions);
    Publisher pub(*n.log, 1000);
    std::optional<StreamLine> tick;  // the stream's last line: the tick past every deadline
    ForEachStreamLine((streams / "timers.jsonl").string(), [&](StreamLine& l) {
      if (tick) pub.Add(tick->json, tick->at_ms);
      tick = l;
      if (l.type == "HazardReport") ++timers;
      return true;
    });
    if (!tick || tick->type != "ClockTick") Die("timers.jsonl must end with a ClockTick");
    pub.Flush();
    auto start = Clock::now();
    ProcessRun opened = ProcessSingleThread(*n.store, *n.log);
    std::printf("timers: %s tickets opened (distinct subjects) in %.1f s: %s inputs/s\n",
                Thousands(timers).c_str(), opened.seconds,
                Thousands(timers / Seconds(start)).c_str());
    figures.push_back({"timers_open_events_per_s", "open tickets: reports/s (distinct subjects)",
                       "events/s", timers / opened.seconds, true, "", 0});
    pub.Add(tick->json, tick->at_ms);
    pub.Flush();
    n.CheckpointTo(copy);
  }
  ProcessRun single, threaded;
  uint64_t emitted = 0;
  size_t mean = 0;
  {
    BenchNode n = BenchNode::Open(dir, o.partitions);
    CountingStore counting(*n.store);
    single = ProcessNextOfEach(counting, *n.log, /*threaded=*/false);  // the tick alone
    emitted = counting.records();
    mean = static_cast<size_t>((counting.state_bytes() + counting.record_bytes()) /
                               std::max<uint64_t>(emitted, 1));
    uint64_t overdue = CountKeys(*n.store, o.partitions, OverduePrefix);
    std::printf(
        "timers, one thread: the tick took %.2f s, emitted %s records (%zu B written per record), "
        "%s "
        "tickets now overdue\n",
        single.seconds, Thousands(emitted).c_str(), mean, Thousands(overdue).c_str());
    if (overdue != timers)
      Die("expected every ticket overdue after the tick, got " + std::to_string(overdue));
  }
  {
    BenchNode n = BenchNode::Open(copy, o.partitions);
    threaded = ProcessNextOfEach(*n.store, *n.log, /*threaded=*/true);
    std::printf("timers, %u threads: the tick took %.2f s (%.1f s of CPU: %.2f cores busy)\n",
                o.partitions, threaded.seconds, threaded.cpu_seconds,
                threaded.cpu_seconds / threaded.seconds);
  }
  fs::remove_all(dir);
  fs::remove_all(copy);
  DbBenchRates ref = Reference(o, root / "db_bench", emitted, mean, 1000);
  double ref_secs = ref.fill > 0 ? emitted / ref.fill : 0;
  double scan_secs = ref.read > 0 ? timers / ref.read : 0;
  figures.push_back({"timers_fire_s", "fire " + Thousands(timers) + " simultaneous deadlines (s)",
                     "s", single.seconds, false, "db_bench fillseq, same bytes (s)", ref_secs});
  figures.push_back({"timers_fire_s_threads",
                     "same, " + std::to_string(o.partitions) + " partition threads (s)", "s",
                     threaded.seconds, false, "db_bench fillseq, same bytes (s)", ref_secs});
  table.push_back({"timers: " + Thousands(timers) + " due at once, one thread (s)",
                   Fmt("%.2f", single.seconds), Fmt("%.2f", ref_secs), ref_secs / single.seconds});
  table.push_back({"timers: same, " + std::to_string(o.partitions) + " partition threads (s)",
                   Fmt("%.2f", threaded.seconds), Fmt("%.2f", ref_secs),
                   ref_secs / threaded.seconds});
  notes.push_back("timers reference: db_bench fillseq of " + std::to_string(emitted) +
                  " values of " + std::to_string(mean) + " B, batch 1000 (" + Thousands(ref.fill) +
                  " ops/s); scanning " + Thousands(timers) + " keys with readseq would take " +
                  Fmt("%.3f", scan_secs) + " s; timer ratios are reference time / ours");
}

// K reports about one subject against K about K subjects: every event makes the engine load
// each ticket its subject has ever had (DecideEvent's subject scan), so the first case costs
// O(K^2) ticket loads in all.
void RunSubjectProbe(const Options& o, const City& city, const fs::path& root) {
  double rate[2] = {0, 0};
  for (bool one : {false, true}) {
    const fs::path dir = root / (one ? "subject-one" : "subject-many");
    {
      BenchNode n = BenchNode::Open(dir, o.partitions);
      Publisher pub(*n.log, 1000);
      Ids ids;
      PublishSetup(city, pub, ids, kStart);
      ProcessSingleThread(*n.store, *n.log);
      PublishOpenTickets(city, pub, ids, 0, o.subject_probe, kStart, one);
      ProcessRun run = ProcessSingleThread(*n.store, *n.log);
      rate[one] = o.subject_probe / run.seconds;
      uint64_t tickets = CountKeys(*n.store, o.partitions, TicketPrefix);
      std::printf("subject probe: %s reports about %s: %.2f s, %s inputs/s, %s tickets\n",
                  Thousands(o.subject_probe).c_str(), one ? "one subject" : "as many subjects",
                  run.seconds, Thousands(rate[one]).c_str(), Thousands(tickets).c_str());
      if (tickets != o.subject_probe) Die("the subject probe opened the wrong number of tickets");
    }
    fs::remove_all(dir);
  }
  table.push_back({Thousands(o.subject_probe) + " reports on one subject: inputs/s",
                   Thousands(rate[1]), Thousands(rate[0]) + " (distinct)",
                   Ratio(rate[1], rate[0])});
}

// The child: N open tickets in a fresh directory, published and processed in chunks.
int RunMemoryChild(const Options& o, const City& city, const fs::path& root) {
  const fs::path dir = root / ("memory-" + std::to_string(o.memory_child));
  BenchNode n = BenchNode::Open(dir, o.partitions);
  Publisher pub(*n.log, 1000);
  Ids ids;
  PublishSetup(city, pub, ids, kStart);
  ProcessSingleThread(*n.store, *n.log);
  const uint64_t base_kb = ProcStatusKb("VmRSS");
  auto start = Clock::now();
  const uint64_t chunk = 50'000;
  for (uint64_t first = 0; first < o.memory_child; first += chunk) {
    PublishOpenTickets(city, pub, ids, first, std::min(chunk, o.memory_child - first), kStart);
    ProcessSingleThread(*n.store, *n.log);
  }
  const double secs = Seconds(start);
  const uint64_t open = CountKeys(*n.store, o.partitions, TicketPrefix);
  uint64_t memtables = 0;  // what RocksDB holds in memory for writes not yet flushed
  for (const char* f : {"default", "log", "meta", "state"}) {
    uint64_t v = 0;
    if (n.db->db()->GetIntProperty(n.db->family(f), "rocksdb.cur-size-all-mem-tables", &v))
      memtables += v;
  }
  n.Flush();
  std::printf("memory-result %llu %llu %llu %llu %llu %.1f %llu\n",
              static_cast<unsigned long long>(open), static_cast<unsigned long long>(base_kb),
              static_cast<unsigned long long>(ProcStatusKb("VmHWM")),
              static_cast<unsigned long long>(ProcStatusKb("VmRSS")),
              static_cast<unsigned long long>(DirBytes(dir)), secs,
              static_cast<unsigned long long>(memtables));
  fs::remove_all(dir);
  return 0;
}

void RunMemory(const Options& o, const fs::path& root, const char* self) {
  for (uint64_t n : o.open_tickets) {
    std::string cmd = std::string(self) + " --memory-child " + std::to_string(n) +
                      " --partitions " + std::to_string(o.partitions) + " --dir " + root.string() +
                      " 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) Die("cannot run " + cmd);
    std::string out;
    char buf[4096];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, got);
    if (::pclose(pipe) != 0) Die("memory child failed:\n" + out);
    std::istringstream in(out.substr(out.find("memory-result")));
    std::string tag;
    uint64_t open = 0, base = 0, hwm = 0, rss = 0, bytes = 0, memtables = 0;
    double secs = 0;
    in >> tag >> open >> base >> hwm >> rss >> bytes >> secs >> memtables;
    if (open != n)
      Die("memory child opened " + std::to_string(open) + " tickets, not " + std::to_string(n));
    std::printf(
        "memory: %s open tickets in %.1f s (%s inputs/s): RSS %.0f MB before, peak %.0f MB, %.0f "
        "MB at the "
        "end, of which RocksDB memtables %.0f MB; data directory %.0f MB after a flush\n",
        Thousands(n).c_str(), secs, Thousands(n / secs).c_str(), base / 1024.0, hwm / 1024.0,
        rss / 1024.0, memtables / 1048576.0, bytes / 1e6);
    figures.push_back({"open_" + std::to_string(n) + "_peak_rss_mb",
                       "peak RSS with " + Thousands(n) + " open tickets (MB)", "MB", hwm / 1024.0,
                       false, "", 0});
    figures.push_back({"open_" + std::to_string(n) + "_rss_bytes_per_ticket",
                       "RSS above the start per open ticket (B)", "B", (hwm - base) * 1024.0 / n,
                       false, "", 0});
    figures.push_back({"open_" + std::to_string(n) + "_disk_bytes_per_ticket",
                       "disk per open ticket (B)", "B", static_cast<double>(bytes) / n, false, "",
                       0});
    table.push_back({"memory: peak RSS with " + Thousands(n) + " open tickets (MB)",
                     Fmt("%.0f", hwm / 1024.0), Fmt("%.0f", base / 1024.0) + " (before)", 0});
    table.push_back({"  peak RSS above the start per ticket (B)",
                     Fmt("%.0f", (hwm - base) * 1024.0 / n), "-", 0});
    table.push_back(
        {"  RocksDB memtables at the end (MB)", Fmt("%.0f", memtables / 1048576.0), "-", 0});
    table.push_back(
        {"  data directory per ticket (B)", Fmt("%.0f", static_cast<double>(bytes) / n), "-", 0});
  }
}

// The first latency_rate x latency_seconds events of the mix stream, offered at that rate
// into a fresh directory after the stream's setup.
void RunLatency(const Options& o, const fs::path& streams, const fs::path& root) {
  std::vector<StreamLine> setup, lines;
  const auto want = static_cast<size_t>(o.latency_rate * o.latency_seconds);
  ForEachStreamLine((streams / "mix.jsonl").string(), [&](StreamLine& l) {
    (lines.empty() && (l.setup || setup.empty()) ? setup : lines).push_back(l);
    return lines.size() < want;
  });
  LatencyRun run = RunEngineLatency(root / "latency", o.partitions, setup, lines, o.latency_rate);
  fs::remove_all(root / "latency");
  std::printf(
      "latency: %s events offered at %.0f/s in %.1f s (%s appends): publish-to-processed "
      "p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms over %s events (clock ticks "
      "offered, not sampled)\n",
      Thousands(run.offered).c_str(), run.rate, run.seconds, Thousands(run.appends).c_str(),
      run.p50_ms, run.p99_ms, run.p999_ms, run.max_ms, Thousands(run.samples).c_str());
  const std::string at = " at " + Thousands(o.latency_rate) + " events/s (ms)";
  figures.push_back(
      {"latency_p50_ms", "publish-to-routed p50" + at, "ms", run.p50_ms, false, "", 0});
  figures.push_back(
      {"latency_p99_ms", "publish-to-routed p99" + at, "ms", run.p99_ms, false, "", 0});
  figures.push_back(
      {"latency_p999_ms", "publish-to-routed p99.9" + at, "ms", run.p999_ms, false, "", 0});
  notes.push_back("latency: " + std::to_string(run.offered) + " events of the mix offered at " +
                  Fmt("%.0f", run.rate) + "/s, fsync per append, " + std::to_string(run.appends) +
                  " appends; one processor thread per partition");
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    auto number = [&]() { return std::strtoull(value().c_str(), nullptr, 10); };
    if (a == "--inputs")
      o.inputs = number();
    else if (a == "--days")
      o.days = static_cast<int>(number());
    else if (a == "--partitions")
      o.partitions = static_cast<uint32_t>(number());
    else if (a == "--timers")
      o.timers = number();
    else if (a == "--open-tickets") {
      o.open_tickets.clear();
      std::stringstream list(value());
      for (std::string item; std::getline(list, item, ',');)
        o.open_tickets.push_back(std::strtoull(item.c_str(), nullptr, 10));
    } else if (a == "--dir")
      o.dir = value();
    else if (a == "--db-bench")
      o.db_bench = value();
    else if (a == "--no-db-bench")
      o.run_db_bench = false;
    else if (a == "--seed")
      o.seed = number();
    else if (a == "--subject-probe")
      o.subject_probe = number();
    else if (a == "--skip")
      o.skip = value();
    else if (a == "--streams")
      o.streams = value();
    else if (a == "--write-streams")
      o.write_streams = value();
    else if (a == "--latency-rate")
      o.latency_rate = std::strtod(value().c_str(), nullptr);
    else if (a == "--latency-seconds")
      o.latency_seconds = std::strtod(value().c_str(), nullptr);
    else if (a == "--json")
      o.json = value();
    else if (a == "--memory-child")
      o.memory_child = number();
    else {
      Die("usage: engine_bench [--inputs N] [--days D] [--partitions P] [--timers N] "
          "[--open-tickets N,N]\n"
          "                    [--dir DIR] [--db-bench PATH] [--no-db-bench] [--seed S]\n"
          "                    [--subject-probe K] [--streams DIR] [--write-streams DIR]\n"
          "                    [--latency-rate R] [--latency-seconds S] [--json FILE]\n"
          "                    [--skip mix,replay,timers,latency,subject,memory]");
    }
  }
  if (o.inputs == 0 || o.days <= 0 || o.partitions == 0 || o.timers == 0)
    Die("sizes must be positive");
  return o;
}

int Main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines show up as they come, even in a pipe
  const Options o = Parse(argc, argv);
  const City city = LoadCity(CLOSELOOP_SOURCE_DIR);
  if (o.memory_child > 0) return RunMemoryChild(o, city, o.dir);
  if (o.run_db_bench && ::access(o.db_bench.c_str(), X_OK) != 0) {
    Die(o.db_bench + " not found (Debian package rocksdb-tools; or pass --no-db-bench)");
  }
  const fs::path root = o.dir / ("cl-engine-bench-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  auto skipped = [&](const char* phase) { return o.skip.find(phase) != std::string::npos; };
  MixOptions mo;
  mo.inputs = o.inputs;
  mo.days = o.days;
  mo.seed = o.seed;
  mo.start_ms = kStart;
  // Clock ticks about a tenth of the inputs (every 8 minutes at the defaults), 1 to 60 min.
  mo.tick_minutes = static_cast<int>(std::clamp<uint64_t>(
      static_cast<uint64_t>(o.days) * 1440 * o.partitions * 10 / o.inputs, 1, 60));
  const int64_t tick_at = kStart + 2 * 3600'000 + 60'000;  // one minute past the 2-hour limit
  if (!o.write_streams.empty()) {
    MixCounts c = WriteStreams(city, mo, o.partitions, o.timers, tick_at, o.write_streams);
    std::printf("wrote %s/mix.jsonl (%s tickets expected) and %s/timers.jsonl\n",
                o.write_streams.c_str(), Thousands(c.tickets).c_str(), o.write_streams.c_str());
    return 0;
  }
  const double cores_before = AvailableCores(static_cast<int>(o.partitions), 2.0);
  fs::path streams = o.streams;
  std::optional<MixCounts> expected;
  if (streams.empty()) {
    streams = root / "streams";
    auto start = Clock::now();
    expected = WriteStreams(city, mo, o.partitions, o.timers, tick_at, streams.string());
    std::printf("generated the streams in %.1f s\n", Seconds(start));
  }
  if (!skipped("mix")) RunMixAndReplay(o, streams, expected ? &*expected : nullptr, root);
  if (!skipped("timers")) RunTimers(o, streams, root);
  if (!skipped("latency")) RunLatency(o, streams, root);
  if (!skipped("subject") && o.subject_probe > 0) RunSubjectProbe(o, city, root);
  if (!skipped("memory")) RunMemory(o, root, fs::read_symlink("/proc/self/exe").c_str());
  fs::remove_all(root);
  const double cores_after = AvailableCores(static_cast<int>(o.partitions), 2.0);
  notes.push_back("cores " + std::to_string(o.partitions) +
                  " spinning threads got: " + Fmt("%.2f", cores_before) + " before the run, " +
                  Fmt("%.2f", cores_after) + " after (the machine is shared)");

  std::printf("\nengine_bench: %u partitions, %s mix inputs over %d simulated days, seed %llu\n",
              o.partitions, Thousands(o.inputs).c_str(), o.days,
              static_cast<unsigned long long>(o.seed));
  std::printf("  %-52s %14s %22s %7s\n", "figure", "closeloop", "reference", "ratio");
  for (const Row& r : table) {
    std::printf("  %-52s %14s %22s %7s\n", r.figure.c_str(), r.ours.c_str(), r.reference.c_str(),
                r.ratio > 0 ? Fmt("%.2f", r.ratio).c_str() : "-");
  }
  for (const auto& n : notes) std::printf("  (%s)\n", n.c_str());
  WriteResults(o.json, "engine_bench", figures, notes);
  return 0;
}

}  // namespace
}  // namespace closeloop::bench

int main(int argc, char** argv) { return closeloop::bench::Main(argc, argv); }
