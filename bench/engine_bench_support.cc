#include "bench/engine_bench_support.h"

#include <rocksdb/utilities/checkpoint.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "events/json_codec.h"
#include "events/record.h"
#include "events/validate.h"

namespace closeloop::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

void Die(const std::string& why) {
  std::fprintf(stderr, "engine_bench: %s\n", why.c_str());
  std::exit(1);
}

void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.ToString());
}

double CpuSeconds() {
  timespec ts;
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

BenchNode BenchNode::Open(const fs::path& dir, uint32_t partitions, bool read_only, bool sync) {
  BenchNode n;
  n.db = Check(
      rocks::RocksDb::Open(dir.string(),
                           {.sync = sync, .create_if_missing = !read_only, .read_only = read_only}),
      "opening " + dir.string());
  n.log = Check(rocks::EmbeddedLog::Open(n.db.get(), partitions), "opening the log");
  n.store = std::make_unique<rocks::RocksStore>(n.db.get(), n.log.get());
  return n;
}

void BenchNode::CheckpointTo(const fs::path& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  Check(rocks::FromRocks(rocksdb::Checkpoint::Create(db->db(), &raw), "checkpoint"), "checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  Check(rocks::FromRocks(cp->CreateCheckpoint(dir.string()), "checkpoint"),
        "checkpoint to " + dir.string());
}

void BenchNode::Flush() {
  rocksdb::FlushOptions fo;
  fo.wait = true;
  for (const char* f : {"log", "meta", "state"}) {
    Check(rocks::FromRocks(db->db()->Flush(fo, db->family(f)), "flush"), "flushing");
  }
}

Result<std::vector<events::AppendedRange>> CountingStore::Commit(
    const engine::Changes& changes, std::vector<events::PartitionAppend> appends,
    const std::vector<engine::RecordRef>& refs) {
  uint64_t sb = 0, rb = 0, rn = 0;
  for (const auto& [k, v] : changes) sb += k.size() + (v ? v->size() : 0);
  for (const auto& a : appends) {
    for (const auto& r : a.records) rb += r.size();
    rn += a.records.size();
  }
  for (const auto& r : refs) sb += r.key.size() + 8;
  state_bytes_ += sb;
  state_writes_ += changes.size() + refs.size();
  record_bytes_ += rb;
  records_ += rn;
  ++commits_;
  return base_.Commit(changes, std::move(appends), refs);
}

Publisher::~Publisher() { Flush(); }

Publisher::Publisher(events::Log& log, size_t batch)
    : log_(&log),
      batch_(batch),
      codec_(std::make_unique<events::JsonCodec>()),
      pending_(log.partition_count()) {}

Publisher::Publisher(uint32_t partitions, size_t batch)
    : log_(nullptr),
      batch_(batch),
      codec_(std::make_unique<events::JsonCodec>()),
      pending_(partitions) {}

void Publisher::Add(std::string_view json, int64_t at_ms) {
  // What events::testing::IngressRecord does, with one codec for all records (building a
  // codec parses the schema, which would cost more than the record).
  std::string raw = Check(codec_->FromJson(json), "decoding " + std::string(json));
  auto errors = events::ValidateIngress(*Check(events::VerifyRecord(raw), "record"));
  if (!errors.empty()) Die(errors[0].field + ": " + errors[0].message + " in " + std::string(json));
  std::string bytes = Check(events::StampIngress(raw, at_ms), "stamping");
  const fb::Record* rec = Check(events::VerifyRecord(bytes), "record");
  if (tee_ != nullptr) *tee_ << json << '\n';
  for (uint32_t p : events::TargetPartitions(*rec, partitions())) {
    pending_[p].push_back(bytes);
    ++queued_;
    ++records_;
  }
  if (queued_ >= batch_) Flush();
}

void Publisher::Flush() {
  if (queued_ == 0) return;
  std::vector<events::PartitionAppend> batch;
  for (uint32_t p = 0; p < pending_.size(); ++p) {
    if (!pending_[p].empty()) batch.push_back({p, std::move(pending_[p])});
    pending_[p].clear();
  }
  if (log_ != nullptr) Check(log_->Append(std::move(batch)).status(), "appending");
  queued_ = 0;
}

namespace {

std::vector<std::unique_ptr<engine::Processor>> OpenProcessors(engine::StateStore& store,
                                                               events::Log& log) {
  std::vector<std::unique_ptr<engine::Processor>> out;
  for (uint32_t p = 0; p < log.partition_count(); ++p) {
    out.push_back(std::make_unique<engine::Processor>(p, log, store));
    Check(out.back()->Open(), "opening processor");
  }
  return out;
}

}  // namespace

ProcessRun ProcessSingleThread(engine::StateStore& store, events::Log& log, size_t chunk) {
  auto procs = OpenProcessors(store, log);
  ProcessRun run;
  auto start = Clock::now();
  const double cpu = CpuSeconds();
  for (;;) {
    uint64_t round = 0;
    for (auto& p : procs) {
      round += Check(p->ProcessAvailable(chunk), "processing");
    }
    run.records += round;
    if (round == 0) break;
  }
  run.seconds = Seconds(start);
  run.cpu_seconds = CpuSeconds() - cpu;
  for (auto& p : procs) run.emitted += p->stats().emitted;
  return run;
}

ProcessRun ProcessThreaded(engine::StateStore& store, events::Log& log) {
  auto procs = OpenProcessors(store, log);
  ProcessRun run;
  auto start = Clock::now();
  const double cpu = CpuSeconds();
  for (;;) {
    std::vector<uint64_t> done(procs.size(), 0);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < procs.size(); ++i) {
      threads.emplace_back([&, i] {
        for (;;) {
          size_t n = Check(procs[i]->ProcessAvailable(), "processing");
          if (n == 0) break;
          done[i] += n;
        }
      });
    }
    for (auto& t : threads) t.join();
    uint64_t round = 0;
    for (uint64_t d : done) round += d;
    run.records += round;
    if (round == 0) break;
  }
  run.seconds = Seconds(start);
  run.cpu_seconds = CpuSeconds() - cpu;
  for (auto& p : procs) run.emitted += p->stats().emitted;
  return run;
}

ProcessRun ProcessNextOfEach(engine::StateStore& store, events::Log& log, bool threaded) {
  auto procs = OpenProcessors(store, log);
  ProcessRun run;
  std::vector<uint64_t> done(procs.size(), 0);
  auto start = Clock::now();
  const double cpu = CpuSeconds();
  if (!threaded) {
    for (size_t i = 0; i < procs.size(); ++i)
      done[i] = Check(procs[i]->ProcessAvailable(1), "processing");
  } else {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < procs.size(); ++i) {
      threads.emplace_back(
          [&, i] { done[i] = Check(procs[i]->ProcessAvailable(1), "processing"); });
    }
    for (auto& t : threads) t.join();
  }
  run.seconds = Seconds(start);
  run.cpu_seconds = CpuSeconds() - cpu;
  for (size_t i = 0; i < procs.size(); ++i) {
    run.records += done[i];
    run.emitted += procs[i]->stats().emitted;
  }
  return run;
}

ReadRun ReadWholeLog(const events::Log& log,
                     const std::function<void(const events::StoredRecord&)>& each) {
  ReadRun run;
  double timed = 0;
  for (uint32_t p = 0; p < log.partition_count(); ++p) {
    for (uint64_t from = 0;;) {
      auto start = Clock::now();
      auto recs = Check(log.Read(p, from, 1024), "reading the log");
      timed += Seconds(start);
      if (recs.empty()) break;
      for (const auto& r : recs) {
        ++run.records;
        run.bytes += r.bytes.size();
        if (each) each(r);
      }
      from = recs.back().offset + 1;
    }
  }
  run.seconds = timed;
  return run;
}

namespace {

std::optional<double> OpsPerSec(const std::string& out, const std::string& name) {
  size_t at = 0;
  while ((at = out.find(name, at)) != std::string::npos) {
    size_t eol = out.find('\n', at);
    std::string line = out.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
    at += name.size();
    size_t colon = line.find(':'), ops = line.find(" ops/sec");
    if (colon == std::string::npos || ops == std::string::npos) continue;
    if (line.find_first_not_of(' ', name.size()) != colon) continue;
    size_t start = line.rfind(' ', ops - 1);
    return std::strtod(line.c_str() + start + 1, nullptr);
  }
  return std::nullopt;
}

}  // namespace

std::map<std::string, double> RunDbBenchOps(const std::string& db_bench, const fs::path& dir,
                                            const std::string& benchmarks, uint64_t num,
                                            size_t value_size, size_t batch, bool sync) {
  fs::remove_all(dir);
  const std::string cmd =
      db_bench + " --benchmarks=" + benchmarks + " --db=" + dir.string() +
      " --num=" + std::to_string(num) + " --value_size=" + std::to_string(value_size) +
      " --key_size=16 --batch_size=" + std::to_string(batch) + " --sync=" + (sync ? "1" : "0") +
      " --compression_type=lz4 --min_level_to_compress=2 --write_buffer_size=134217728"
      " --max_write_buffer_number=6 --min_write_buffer_number_to_merge=2"
      " --level0_file_num_compaction_trigger=2 --target_file_size_base=67108864"
      " --max_bytes_for_level_base=536870912 --level_compaction_dynamic_level_bytes=true"
      " --max_background_jobs=2 --bytes_per_sync=1048576 --threads=1 --use_existing_db=0 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) Die("cannot run " + db_bench);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = ::pclose(pipe);
  fs::remove_all(dir);
  std::map<std::string, double> ops;
  std::stringstream names(benchmarks);
  for (std::string name; std::getline(names, name, ',');) {
    auto rate = OpsPerSec(out, name);
    if (status != 0 || !rate)
      Die("db_bench failed (status " + std::to_string(status) + "):\n" + cmd + "\n" + out);
    ops[name] = *rate;
  }
  return ops;
}

DbBenchRates RunDbBench(const std::string& db_bench, const fs::path& dir, uint64_t num,
                        size_t value_size, size_t batch) {
  auto ops = RunDbBenchOps(db_bench, dir, "fillseq,readseq", num, value_size, batch);
  return {ops["fillseq"], ops["readseq"]};
}

double AvailableCores(int threads, double seconds) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> spin;
  const double cpu = CpuSeconds();
  auto start = Clock::now();
  for (int i = 0; i < threads; ++i) {
    spin.emplace_back([&stop] {
      volatile uint64_t x = 0;
      while (!stop.load(std::memory_order_relaxed)) x = x + 1;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : spin) t.join();
  return (CpuSeconds() - cpu) / Seconds(start);
}

uint64_t DirBytes(const fs::path& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

uint64_t ProcStatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::strtoull(line.c_str() + prefix.size(), nullptr, 10);
  }
  return 0;
}

std::string Thousands(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  std::string s = buf, out;
  size_t start = s[0] == '-' ? 1 : 0;
  out = s.substr(0, start);
  for (size_t i = start; i < s.size(); ++i) {
    if (i > start && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

}  // namespace closeloop::bench
