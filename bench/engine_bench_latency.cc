#include "bench/engine_bench_latency.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "bench/engine_bench_support.h"
#include "events/json_codec.h"
#include "events/record.h"
#include "events/validate.h"

namespace closeloop::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct Offered {
  uint32_t partition;
  uint64_t offset;
  Clock::time_point arrival;
};

// A processor's progress: when it returned from a ProcessAvailable, everything below
// `position` was committed.
struct Progress {
  uint64_t position;
  Clock::time_point at;
};

}  // namespace

void FillPercentiles(std::vector<double>& ms, LatencyRun& run) {
  run.samples = ms.size();
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    size_t i = static_cast<size_t>(q * static_cast<double>(ms.size()));
    return ms[std::min(i, ms.size() - 1)];
  };
  run.p50_ms = at(0.50);
  run.p99_ms = at(0.99);
  run.p999_ms = at(0.999);
  run.max_ms = ms.back();
}

LatencyRun RunEngineLatency(const std::filesystem::path& dir, uint32_t partitions,
                            const std::vector<StreamLine>& setup,
                            const std::vector<StreamLine>& lines, double rate) {
  BenchNode node = BenchNode::Open(dir, partitions, /*read_only=*/false, /*sync=*/true);
  {
    Publisher pub(*node.log, 1000);
    for (const StreamLine& l : setup) pub.Add(l.json, l.at_ms);
    pub.Flush();
    ProcessSingleThread(*node.store, *node.log);
  }
  std::vector<std::unique_ptr<engine::Processor>> procs;
  std::vector<std::unique_ptr<std::atomic<uint64_t>>> positions;
  for (uint32_t p = 0; p < partitions; ++p) {
    procs.push_back(std::make_unique<engine::Processor>(p, *node.log, *node.store));
    Check(procs.back()->Open(), "opening processor");
    positions.push_back(std::make_unique<std::atomic<uint64_t>>(procs.back()->position()));
  }
  // Each thread writes only its own progress list; they are read after the joins.
  std::vector<std::vector<Progress>> progress(partitions);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (uint32_t p = 0; p < partitions; ++p) {
    threads.emplace_back([&, p] {  // as EngineRunner::Run (app/engine_runner.cc)
      engine::Processor& proc = *procs[p];
      while (!stop.load()) {
        size_t n = Check(proc.ProcessAvailable(4096), "processing");
        if (n > 0) {
          progress[p].push_back({proc.position(), Clock::now()});
          positions[p]->store(proc.position());
        } else {
          node.log->WaitForAppend(p, proc.position(), std::chrono::milliseconds(20));
        }
      }
    });
  }

  LatencyRun run;
  run.rate = rate;
  events::JsonCodec codec;
  std::vector<Offered> sampled;
  const auto start = Clock::now();
  auto arrival = [&](size_t k) {
    return start + std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(static_cast<double>(k) / rate));
  };
  for (size_t next = 0; next < lines.size();) {
    const auto now = Clock::now();
    if (arrival(next) > now) {
      std::this_thread::sleep_until(arrival(next));
      continue;
    }
    // Everything that has arrived by now (at most 1,000): one append, one fsync.
    std::vector<std::vector<std::string>> per(partitions);
    std::vector<std::vector<std::pair<Clock::time_point, bool>>> meta(partitions);
    for (size_t n = 0; next < lines.size() && arrival(next) <= now && n < 1000; ++next, ++n) {
      const StreamLine& l = lines[next];
      std::string raw = Check(codec.FromJson(l.json), "decoding");
      auto errors = events::ValidateIngress(*Check(events::VerifyRecord(raw), "record"));
      if (!errors.empty()) Die(errors[0].field + ": " + errors[0].message);
      std::string bytes = Check(events::StampIngress(raw, l.at_ms), "stamping");
      const fb::Record* rec = Check(events::VerifyRecord(bytes), "record");
      for (uint32_t p : events::TargetPartitions(*rec, partitions)) {
        per[p].push_back(bytes);
        meta[p].push_back({arrival(next), l.type != "ClockTick"});
      }
    }
    std::vector<events::PartitionAppend> batch;
    for (uint32_t p = 0; p < partitions; ++p) {
      if (!per[p].empty()) batch.push_back({p, std::move(per[p])});
    }
    auto ranges = Check(node.log->Append(std::move(batch)), "appending");
    for (const auto& r : ranges) {
      for (uint64_t i = 0; i < r.count; ++i) {
        if (meta[r.partition][i].second)
          sampled.push_back({r.partition, r.first_offset + i, meta[r.partition][i].first});
      }
    }
    ++run.appends;
  }
  run.offered = lines.size();
  // Until every partition has processed everything in it (the engine's own records too).
  for (bool done = false; !done;) {
    done = true;
    for (uint32_t p = 0; p < partitions; ++p)
      done = done && positions[p]->load() >= node.log->Head(p).end_offset;
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  run.seconds = Seconds(start);
  stop = true;
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (const Offered& o : sampled) {
    const auto& prog = progress[o.partition];
    auto it = std::upper_bound(prog.begin(), prog.end(), o.offset,
                               [](uint64_t off, const Progress& g) { return off < g.position; });
    if (it == prog.end()) Die("latency: a record was never processed");
    all.push_back(std::chrono::duration<double, std::milli>(it->at - o.arrival).count());
  }
  FillPercentiles(all, run);
  return run;
}

}  // namespace closeloop::bench
