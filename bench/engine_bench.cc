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

#include "bench/engine_bench_phases.h"
#include "bench/engine_bench_support.h"
#include "bench/engine_bench_workload.h"
#include "bench/results.h"
#include "bench/stream.h"
#include "engine/keys.h"
#include "engine/queries.h"
#include "events/record.h"

namespace closeloop::bench::eb {

std::vector<Row> table;
std::vector<std::string> notes;
std::vector<Figure> figures;

using Clock = std::chrono::steady_clock;

DbBenchRates Reference(const Options& o, const fs::path& dir, uint64_t num, size_t value,
                       size_t batch) {
  if (!o.run_db_bench) return {};
  return RunDbBench(o.db_bench, dir, num, value, batch);
}

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
  std::vector<StreamLine> tail;
  {
    // As `closeloop publish` appends a file: every record decoded and validated, the log's
    // appends fsynced (1,000 records per append here, one batch per file there).
    BenchNode n = BenchNode::Open(live, o.partitions, /*read_only=*/false, /*sync=*/true);
    Publisher pub(*n.log, 1000);
    auto start = Clock::now();
    // With --latency-tail, the last events are held back for the latency phase.
    const uint64_t total =
        o.latency_tail ? CountStreamLines((streams / "mix.jsonl").string()) : UINT64_MAX;
    const uint64_t keep = total - std::min<uint64_t>(total, LatencyEvents(o));
    ForEachStreamLine((streams / "mix.jsonl").string(), [&](StreamLine& l) {
      if (lines < keep) {
        pub.Add(l.json, l.at_ms);
        ++lines;
      } else {
        tail.push_back(l);
      }
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
    if (o.skip.find("threads") != std::string::npos) {
      threaded.seconds = 0;
    } else {
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
    if (threaded.seconds > 0)
      figures.push_back(
          {"mix_process_events_per_s_threads",
           "process: events/s, " + std::to_string(o.partitions) + " partition threads", "events/s",
           lines / threaded.seconds, true, "db_bench fillseq", ops["fillseq"]});
    figures.push_back({"log_read_records_per_s", "log read (verified): records/s", "records/s",
                       read.records / read.seconds, true, "db_bench readseq", ref.read});
    table.push_back({"mix: inputs/s, " + std::to_string(o.partitions) + " partition threads",
                     Thousands(inputs / threaded.seconds), Thousands(ref.fill),
                     Ratio(inputs / threaded.seconds, ref.fill)});
    table.push_back({"log read (EmbeddedLog::Read): records/s",
                     Thousands(read.records / read.seconds), Thousands(ref.read) + " (readseq)",
                     Ratio(read.records / read.seconds, ref.read)});
  }
  if (o.latency_tail) {  // onto the state the mix left
    ReportLatency(o, RunEngineLatency(live, o.partitions, {}, tail, o.latency_rate));
    lines += tail.size();
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
    else if (a == "--latency-tail")
      o.latency_tail = true;
    else if (a == "--json")
      o.json = value();
    else if (a == "--memory-child")
      o.memory_child = number();
    else {
      Die("usage: engine_bench [--inputs N] [--days D] [--partitions P] [--timers N] "
          "[--open-tickets N,N]\n"
          "                    [--dir DIR] [--db-bench PATH] [--no-db-bench] [--seed S]\n"
          "                    [--subject-probe K] [--streams DIR] [--write-streams DIR]\n"
          "                    [--latency-rate R] [--latency-seconds S] [--latency-tail]\n"
          "                    [--json FILE]\n"
          "                    [--skip mix,threads,replay,timers,latency,subject,memory]");
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
  fs::remove_all(root);
  fs::create_directories(root);
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
  if (!skipped("latency") && !o.latency_tail) RunLatency(o, streams, root);
  if (!skipped("subject") && o.subject_probe > 0) RunSubjectProbe(o, city, root);
  if (!skipped("memory")) RunMemory(o, root, fs::read_symlink("/proc/self/exe").c_str());
  fs::remove_all(root);
  const double cores_after = AvailableCores(static_cast<int>(o.partitions), 2.0);
  notes.push_back("cores " + std::to_string(o.partitions) +
                  " spinning threads got: " + Fmt("%.2f", cores_before) + " before the run, " +
                  Fmt("%.2f", cores_after) + " after (the machine is shared)");

  if (o.streams.empty()) {
    std::printf("\nengine_bench: %u partitions, %s mix inputs over %d simulated days, seed %llu\n",
                o.partitions, Thousands(o.inputs).c_str(), o.days,
                static_cast<unsigned long long>(o.seed));
  } else {
    std::printf("\nengine_bench: %u partitions, streams from %s\n", o.partitions,
                o.streams.c_str());
  }
  std::printf("  %-52s %14s %22s %7s\n", "figure", "closeloop", "reference", "ratio");
  for (const Row& r : table) {
    std::printf("  %-52s %14s %22s %7s\n", r.figure.c_str(), r.ours.c_str(), r.reference.c_str(),
                r.ratio > 0 ? Fmt("%.2f", r.ratio).c_str() : "-");
  }
  for (const auto& n : notes) std::printf("  (%s)\n", n.c_str());
  WriteResults(o.json, "engine_bench", figures, notes);
  return 0;
}

}  // namespace closeloop::bench::eb

int main(int argc, char** argv) { return closeloop::bench::eb::Main(argc, argv); }
