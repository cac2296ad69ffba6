// engine_bench's smaller phases: the one-subject probe, open-ticket memory (a child process
// per size), and publish-to-routed latency at a fixed load.
#include "bench/engine_bench_phases.h"

#include <unistd.h>

#include <sstream>

#include "bench/engine_bench_latency.h"
#include "bench/stream.h"
#include "engine/keys.h"

namespace closeloop::bench::eb {

using Clock = std::chrono::steady_clock;

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
  ReportLatency(o, run);
}

uint64_t LatencyEvents(const Options& o) {
  return static_cast<uint64_t>(o.latency_rate * o.latency_seconds);
}

void ReportLatency(const Options& o, const LatencyRun& run) {
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

}  // namespace closeloop::bench::eb
