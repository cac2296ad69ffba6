// closeloop log dump | log verify
#include <iostream>

#include "app/commands.h"
#include "connectors/rocksdb/embedded_log.h"
#include "connectors/rocksdb/log_verify.h"
#include "events/json_codec.h"

namespace closeloop::app {
namespace {

struct LogOptions {
  std::string data = "./data";
  int64_t partition = -1;
  uint64_t from = 0;
  uint64_t limit = 0;  // 0 = all
  bool pretty = false;
};

struct OpenLog {
  std::unique_ptr<rocks::RocksDb> db;
  std::unique_ptr<rocks::EmbeddedLog> log;
};

// Read-only (RocksDB's OpenForReadOnly): no lock, no write, no info log, so dump and verify
// work beside a running server (on what was durable when they opened) and on a full disk.
OpenLog Open(const std::string& data) {
  auto db = rocks::RocksDb::Open(data, {.create_if_missing = false, .read_only = true});
  if (!db.ok()) Fail(db.status().ToString());
  auto log = rocks::EmbeddedLog::Open(db->get(), 0);
  if (!log.ok()) Fail(log.status().ToString());
  return {std::move(*db), std::move(*log)};
}

void RunDump(const LogOptions& o) {
  OpenLog l = Open(o.data);
  events::JsonCodec codec;
  uint32_t first = 0, last = l.log->partition_count();
  if (o.partition >= 0) {
    if (o.partition >= last) Fail("no partition " + std::to_string(o.partition));
    first = static_cast<uint32_t>(o.partition);
    last = first + 1;
  }
  for (uint32_t p = first; p < last; ++p) {
    uint64_t next = o.from, printed = 0;
    for (;;) {
      size_t want = 1024;
      if (o.limit > 0) want = std::min<uint64_t>(want, o.limit - printed);
      if (want == 0) break;
      auto recs = l.log->Read(p, next, want);
      if (!recs.ok()) Fail(recs.status().ToString());
      if (recs->empty()) break;
      for (const auto& r : *recs) {
        auto json = o.pretty ? codec.ToPrettyJson(r.bytes) : codec.ToJson(r.bytes);
        if (!json.ok()) Fail(json.status().ToString());
        // The position is not part of the record; it is printed as a prefix object so
        // each line stays one JSON value: {"partition":P,"offset":O,"record":{...}}
        std::cout << "{\"partition\": " << p << ", \"offset\": " << r.offset
                  << ", \"record\": " << *json << "}\n";
        next = r.offset + 1;
        ++printed;
      }
    }
  }
}

void RunVerify(const LogOptions& o) {
  OpenLog l = Open(o.data);
  auto report = rocks::VerifyLog(*l.log);
  if (!report.ok()) {
    std::cout << "broken: " << report.status().message() << "\n";
    throw CLI::RuntimeError(1);
  }
  uint64_t total = 0;
  for (const auto& p : *report) total += p.records;
  std::cout << "ok: " << total << " records in " << report->size() << " partitions of log "
            << l.log->name() << "\n";
  for (const auto& p : *report) {
    std::cout << "  partition " << p.partition << ": " << p.records << " records, head "
              << events::ToHex(p.head) << "\n";
  }
}

}  // namespace

void AddLogCommand(CLI::App& root) {
  CLI::App* log = root.add_subcommand("log", "Read and check the log");
  log->require_subcommand(1);

  auto dump_opts = std::make_shared<LogOptions>();
  CLI::App* dump = log->add_subcommand(
      "dump", "Print records as JSON lines: {\"partition\", \"offset\", \"record\"}");
  AddDataOption(*dump, &dump_opts->data);
  dump->add_option("--partition", dump_opts->partition, "only this partition");
  dump->add_option("--from", dump_opts->from, "first offset (per partition)");
  dump->add_option("--limit", dump_opts->limit, "at most this many records per partition");
  dump->add_flag("--pretty", dump_opts->pretty, "indent the JSON");
  dump->callback([dump_opts] { RunDump(*dump_opts); });

  auto verify_opts = std::make_shared<LogOptions>();
  CLI::App* verify = log->add_subcommand(
      "verify",
      "Walk every partition's hash chain; print ok with counts, or where it breaks (exit 1)");
  AddDataOption(*verify, &verify_opts->data);
  verify->callback([verify_opts] { RunVerify(*verify_opts); });
}

}  // namespace closeloop::app
