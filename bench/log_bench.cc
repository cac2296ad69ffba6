// log_bench: how fast the embedded log appends and reads back realistic records, against
// RocksDB's own db_bench run in the same process tree on the same disk, with the same
// record count, value size, key size, batch size, sync setting and the closest options.
//
//   log_bench [--records N] [--batch N] [--repeat N] [--dir DIR] [--db-bench PATH]
//             [--no-db-bench]
//
// Ours: EmbeddedLog::Append of `batch` records per call (hash chain, WriteBatch, one WAL
// write; fsync per call when sync is on), then EmbeddedLog::Read of every partition in
// chunks of `batch` (each record verified with flatbuffers::Verifier and copied out).
// db_bench: fillseq (batch_size = batch) and readseq. Each figure is the median of
// `repeat` runs, each on a fresh directory. The ratio is ours / db_bench: the share of
// raw RocksDB speed the log keeps after its own work (hashing, verification, copies).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "connectors/file/ingress.h"
#include "connectors/rocksdb/embedded_log.h"

namespace {

namespace fs = std::filesystem;
using closeloop::file::PreparedRecord;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kPartitions = 4;
constexpr int64_t kNowMs = 1767225600000;  // stamped recorded_at: fixed, not the wall clock

struct Options {
  size_t records = 200'000;
  size_t batch = 1000;
  int repeat = 3;
  fs::path dir = fs::temp_directory_path();
  std::string db_bench = "/usr/bin/db_bench";
  bool run_db_bench = true;
};

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "log_bench: %s\n", why.c_str());
  std::exit(1);
}

const char* const kCategories[] = {"gas", "fire", "hazardous_chemicals", "electrical",
                                   "confined_space"};
const char* const kStreets[] = {"玄武区梅园新村街道", "鼓楼区湖南路街道", "秦淮区夫子庙街道",
                                "建邺区沙洲街道",     "江宁区东山街道",   "浦口区江浦街道"};

// Record i of the workload: alternately an IoT gas alarm and a hotline hazard report, about
// one of 500 enterprises, with the Chinese text real reports carry.
std::string RecordJson(size_t i) {
  const std::string n = std::to_string(i);
  std::string j = R"({"subject": "ENT-3201)" + std::to_string(10000 + i % 500) +
                  R"(", "jurisdiction": "xuanwu.meiyuan.g0)" + std::to_string(i % 9 + 1) +
                  R"(", "occurred_at": )" + std::to_string(kNowMs - 60'000 + int64_t(i % 60'000)) +
                  ", ";
  if (i % 2 == 0) {
    return j +
           R"("source": "iot-gateway-07", "body_type": "SensorAlarm", "body": {"sensor_id": )"
           R"("GAS-320102-)" +
           n + R"(", "risk_source_id": "MHS-320102-0)" + std::to_string(i % 40) +
           R"(", "measure": "combustible_gas", "state": "alarm", "level": "alarm", "value": )" +
           std::to_string(20 + i % 17) + R"(.5, "threshold": 20, "unit": "%LEL"}})";
  }
  return j +
         R"("source": "hotline-12345", "body_type": "HazardReport", "body": {"channel": )"
         R"("hotline_12345", "category": ")" +
         kCategories[i % 5] +
         R"(", "description": "餐饮店液化气钢瓶靠近灶台，软管老化疑似漏气", )"
         R"("severity": "general", "address": "南京市)" +
         kStreets[i % 6] + R"(", "external_ref": "GD2026)" + n + R"("}})";
}

std::vector<PreparedRecord> MakeRecords(size_t count) {
  closeloop::file::IngressPreparer prep(kPartitions);
  std::vector<PreparedRecord> out(count);
  std::vector<closeloop::file::IngressError> errors;
  for (size_t i = 0; i < count; ++i) {
    if (!prep.Prepare(RecordJson(i), static_cast<int>(i + 1), kNowMs, &out[i], &errors)) {
      Die("record " + std::to_string(i) + " does not validate: " + errors.front().field + ": " +
          errors.front().message);
    }
  }
  return out;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct Rates {
  double append = 0;  // records/s
  double read = 0;    // records/s
};

// One run of ours on a fresh directory.
Rates RunOurs(const fs::path& dir, const std::vector<PreparedRecord>& records, size_t batch,
              bool sync) {
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  auto db = closeloop::rocks::RocksDb::Open(dir.string(), {.sync = sync});
  if (!db.ok()) Die(db.status().ToString());
  auto log = closeloop::rocks::EmbeddedLog::Open(db->get(), kPartitions);
  if (!log.ok()) Die(log.status().ToString());

  // Built before the clock starts: the bench times the log, not the copying of inputs.
  std::vector<std::vector<closeloop::events::PartitionAppend>> batches;
  for (size_t at = 0; at < records.size(); at += batch) {
    std::vector<PreparedRecord> chunk(records.begin() + at,
                                      records.begin() + std::min(records.size(), at + batch));
    batches.push_back(closeloop::file::ToBatch(chunk, kPartitions));
  }
  Rates r;
  Clock::time_point t = Clock::now();
  for (auto& b : batches) {
    auto ranges = (*log)->Append(std::move(b));
    if (!ranges.ok()) Die(ranges.status().ToString());
  }
  r.append = records.size() / Seconds(t);

  size_t read = 0, bytes = 0;
  t = Clock::now();
  for (uint32_t p = 0; p < kPartitions; ++p) {
    for (uint64_t from = 0;;) {
      auto got = (*log)->Read(p, from, batch);
      if (!got.ok()) Die(got.status().ToString());
      if (got->empty()) break;
      for (const auto& rec : *got) bytes += rec.bytes.size();
      read += got->size();
      from = got->back().offset + 1;
    }
  }
  r.read = read / Seconds(t);
  if (read != records.size() || bytes == 0) {
    Die("read back " + std::to_string(read) + " records of " + std::to_string(records.size()));
  }
  log->reset();
  db->reset();
  fs::remove_all(dir);
  return r;
}

// "fillseq      :       3.277 micros/op 305158 ops/sec ..." -> 305158. With batch_size, an
// op is one key, so ops/sec is records/s.
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

// One db_bench run on a fresh directory, configured as RocksDb::Open configures ours
// (ColumnFamilyOptions::OptimizeLevelStyleCompaction(512 MB), LZ4 from level 2, dynamic
// level bytes, 2 background jobs, 1 MB bytes_per_sync). db_bench has no flag for ours'
// ZSTD bottommost level; see docs/performance.md.
Rates RunDbBench(const Options& o, const fs::path& dir, size_t value_size, bool sync) {
  fs::remove_all(dir);
  const std::string cmd =
      o.db_bench + " --benchmarks=fillseq,readseq --db=" + dir.string() +
      " --num=" + std::to_string(o.records) + " --value_size=" + std::to_string(value_size) +
      " --key_size=12 --batch_size=" + std::to_string(o.batch) + " --sync=" + (sync ? "1" : "0") +
      " --compression_type=lz4 --min_level_to_compress=2 --write_buffer_size=134217728"
      " --max_write_buffer_number=6 --min_write_buffer_number_to_merge=2"
      " --level0_file_num_compaction_trigger=2 --target_file_size_base=67108864"
      " --max_bytes_for_level_base=536870912 --level_compaction_dynamic_level_bytes=true"
      " --max_background_jobs=2 --bytes_per_sync=1048576 --threads=1 --use_existing_db=0"
      " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) Die("cannot run " + o.db_bench);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = ::pclose(pipe);
  fs::remove_all(dir);
  auto fill = OpsPerSec(out, "fillseq"), read = OpsPerSec(out, "readseq");
  if (status != 0 || !fill || !read) {
    Die("db_bench failed (status " + std::to_string(status) + "):\n" + cmd + "\n" + out);
  }
  return {*fill, *read};
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--records") {
      o.records = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--batch") {
      o.batch = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--repeat") {
      o.repeat = std::atoi(value().c_str());
    } else if (a == "--dir") {
      o.dir = value();
    } else if (a == "--db-bench") {
      o.db_bench = value();
    } else if (a == "--no-db-bench") {
      o.run_db_bench = false;
    } else {
      Die("usage: log_bench [--records N] [--batch N] [--repeat N] [--dir DIR] "
          "[--db-bench PATH] [--no-db-bench]");
    }
  }
  if (o.records == 0 || o.batch == 0 || o.repeat < 1) Die("sizes must be positive");
  return o;
}

std::string Rate(double v) {
  if (v <= 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  std::string s = buf, out;  // thousands separators, for a reader
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  if (o.run_db_bench && ::access(o.db_bench.c_str(), X_OK) != 0) {
    Die(o.db_bench + " not found (Debian package rocksdb-tools; or pass --no-db-bench)");
  }
  const std::vector<PreparedRecord> records = MakeRecords(o.records);
  size_t total = 0;
  for (const auto& r : records) total += r.bytes.size();
  const size_t value_size = (total + records.size() / 2) / records.size();
  const fs::path root = o.dir / ("cl-log-bench-" + std::to_string(::getpid()));

  struct Row {
    const char* name;
    std::vector<double> ours, ref;
  };
  Row rows[] = {
      {"append, sync off", {}, {}}, {"append, sync on", {}, {}}, {"read, verified", {}, {}}};
  for (int rep = 0; rep < o.repeat; ++rep) {
    for (bool sync : {false, true}) {
      Rates ours = RunOurs(root / "ours", records, o.batch, sync);
      rows[sync ? 1 : 0].ours.push_back(ours.append);
      if (!sync) rows[2].ours.push_back(ours.read);
      if (o.run_db_bench) {
        Rates ref = RunDbBench(o, root / "db_bench", value_size, sync);
        rows[sync ? 1 : 0].ref.push_back(ref.append);
        if (!sync) rows[2].ref.push_back(ref.read);
      }
    }
  }
  fs::remove_all(root);

  std::printf(
      "log_bench: %zu records (mean %zu B stored, key 12 B), %zu per batch, %u "
      "partitions; median of %d runs; records/s\n",
      o.records, value_size, o.batch, kPartitions, o.repeat);
  std::printf("  %-18s %14s %14s %8s\n", "", "closeloop", "db_bench", "ratio");
  for (const Row& row : rows) {
    double ours = Median(row.ours), ref = row.ref.empty() ? 0 : Median(row.ref);
    char ratio[16] = "-";
    if (ref > 0) std::snprintf(ratio, sizeof ratio, "%.2f", ours / ref);
    std::printf("  %-18s %14s %14s %8s\n", row.name, Rate(ours).c_str(), Rate(ref).c_str(), ratio);
  }
  std::printf(
      "  (db_bench: fillseq and readseq, --value_size=%zu --key_size=12 --batch_size=%zu, "
      "sync matching, LZ4 from level 2)\n",
      value_size, o.batch);
  return 0;
}
