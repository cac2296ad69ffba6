// closeloop publish [--data DIR] FILE.jsonl|-
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>

#include "app/commands.h"
#include "app/wall_clock.h"
#include "connectors/file/jsonl.h"
#include "connectors/rocksdb/embedded_log.h"

namespace closeloop::app {
namespace {

struct PublishOptions {
  std::string data = "./data";
  std::string file;
  bool no_sync = false;
};

void RunPublish(const PublishOptions& o) {
  auto db = rocks::RocksDb::Open(o.data, {.sync = !o.no_sync});
  if (!db.ok()) Fail(db.status().ToString());
  auto log = rocks::EmbeddedLog::Open(db->get(), 0);
  if (!log.ok()) Fail(log.status().ToString());
  uint32_t partitions = (*log)->partition_count();

  std::ifstream file;
  std::istream* in = &std::cin;
  std::string name = o.file == "-" ? "<stdin>" : o.file;
  if (o.file != "-") {
    file.open(o.file);
    if (!file) Fail("cannot open " + o.file);
    in = &file;
  }
  // Validate every line first; append only if all are good.
  file::JsonlResult r = file::ReadJsonl(*in, partitions, WallClockMillis());
  if (!r.errors.empty()) {
    for (const auto& e : r.errors) std::cerr << file::FormatError(name, e) << "\n";
    std::cerr << "closeloop: " << r.errors.size() << " bad line(s) in " << name
              << "; nothing was appended\n";
    throw CLI::RuntimeError(1);
  }
  if (r.records.empty()) {
    std::cout << "no records in " << name << "\n";
    return;
  }
  auto ranges = (*log)->Append(file::ToBatch(r.records, partitions));
  if (!ranges.ok()) Fail(ranges.status().ToString() + "; nothing was appended");
  std::cout << "appended " << r.records.size() << " record(s) from " << name << ":";
  for (const auto& range : *ranges) {
    std::cout << " p" << range.partition << "+" << range.count << "@" << range.first_offset;
  }
  // Flush now: the acknowledgement must not wait for the process to exit.
  std::cout << std::endl;
}

}  // namespace

void AddPublishCommand(CLI::App& root) {
  auto opts = std::make_shared<PublishOptions>();
  CLI::App* cmd = root.add_subcommand(
      "publish",
      "Append records from a JSON Lines file (or - for stdin). Every line is validated first: "
      "one bad line and nothing is appended (each bad line is printed as FILE:LINE:COL: field: "
      "message, exit 1); otherwise all lines go in one atomic batch.");
  AddDataOption(*cmd, &opts->data);
  cmd->add_option("file", opts->file, "JSONL file of records, or -")->required();
  cmd->add_flag("--no-sync", opts->no_sync, "do not fsync (faster; loses data on power failure)");
  cmd->callback([opts] { RunPublish(*opts); });
}

}  // namespace closeloop::app
