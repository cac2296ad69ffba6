// closeloop publish [--data DIR] FILE.jsonl|-
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/node.h"
#include "app/remote.h"
#include "app/wall_clock.h"
#include "connectors/file/jsonl.h"
#include "connectors/rocksdb/embedded_log.h"
#include "connectors/rocksdb/ingress_appender.h"
#include "events/json_codec.h"
#include "events/record.h"

namespace closeloop::app {
namespace {

struct PublishOptions {
  std::string data = "./data";
  std::string file;
  bool no_sync = false;
  RemoteOptions remote;
};

// A prepared record as a publisher sends it: the boundary stamped it (id, recorded_at, the
// prev_hash placeholder), but the server's boundary refuses records that carry what the log
// sets, so recorded_at and prev_hash go; the id stays (resending is then idempotent).
Result<std::string> ForServer(events::JsonCodec& codec, const std::string& stamped) {
  CL_ASSIGN_OR_RETURN(const fb::Record* rec, events::VerifyRecord(stamped));
  fb::RecordT r;
  rec->UnPackTo(&r);
  r.recorded_at = 0;
  r.prev_hash.clear();  // Pack leaves an empty string out
  flatbuffers::FlatBufferBuilder fbb(stamped.size());
  fbb.Finish(fb::Record::Pack(fbb, &r), fb::RecordIdentifier());
  return codec.ToJson(
      std::string_view(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize()));
}

// Where a record goes on a running server: agencies' events to /v1/events; control records
// to the administrator's routes (a publisher's token gets their 403 there).
enum class Route { kEvents, kReference, kWorkflow, kClock };

Route RouteOf(fb::Body type) {
  switch (type) {
    case fb::Body::CalendarUpdated:
    case fb::Body::RoutingTableUpdated:
    case fb::Body::ReferenceDataUpdated:
      return Route::kReference;
    case fb::Body::WorkflowDeployed:
      return Route::kWorkflow;
    case fb::Body::ClockTick:
      return Route::kClock;
    default:
      return Route::kEvents;
  }
}

// Through a running server: every line is validated here first (the same boundary the
// server runs), ids are fixed here, then the records go in file order, runs of events in
// NDJSON batches (a batch resent after a failure is recorded once: the API is idempotent on
// ids) and control records, with an administrator's token, through /v1/admin: reference
// data in runs, each workflow deployed, each tick advancing a manual clock.
void PublishRemote(const PublishOptions& o, std::istream& in, const std::string& name) {
  file::JsonlResult r = file::ReadJsonl(in, 1, WallClockMillis());
  if (!r.errors.empty()) {
    for (const auto& e : r.errors) std::cerr << file::FormatError(name, e) << "\n";
    std::cerr << "closeloop: " << r.errors.size() << " bad line(s) in " << name
              << "; nothing was sent\n";
    throw CLI::RuntimeError(1);
  }
  events::JsonCodec codec;
  constexpr size_t kBatch = 5000;
  size_t recorded = 0, duplicates = 0;
  auto send = [&](const std::string& path, const std::string& body, const std::string& type,
                  int line) {
    auto reply = RemotePost(o.remote, path, body, type);
    if (!reply.ok())
      Fail(reply.status().ToString() + "; " + std::to_string(recorded) +
           " record(s) were recorded before");
    if (reply->status != 200 && reply->status != 201) {
      Fail(name + ":" + std::to_string(line) + ": " + DescribeError(*reply) + "; " +
           std::to_string(recorded) + " record(s) were recorded before (resending is safe)");
    }
    return *reply;
  };
  for (size_t start = 0; start < r.records.size();) {
    const fb::Record* first = *events::VerifyRecord(r.records[start].bytes);
    const Route route = RouteOf(first->body_type());
    size_t end = start + 1;
    const size_t most = route == Route::kEvents || route == Route::kReference ? kBatch : 1;
    while (end < r.records.size() && end - start < most &&
           RouteOf((*events::VerifyRecord(r.records[end].bytes))->body_type()) == route) {
      ++end;
    }
    const int line = r.records[start].line;
    if (route == Route::kEvents) {
      std::string body;
      for (size_t i = start; i < end; ++i) {
        auto json = ForServer(codec, r.records[i].bytes);
        if (!json.ok()) Fail(json.status().ToString());
        body += *json;
        body += '\n';
      }
      RemoteReply reply = send("/v1/events", body, "application/x-ndjson", line);
      recorded += static_cast<size_t>(reply.Integer("recorded"));
      duplicates += static_cast<size_t>(reply.Integer("duplicates"));
    } else if (route == Route::kReference) {
      nlohmann::json array = nlohmann::json::array();
      for (size_t i = start; i < end; ++i) {
        auto json = ForServer(codec, r.records[i].bytes);
        if (!json.ok()) Fail(json.status().ToString());
        nlohmann::json rec = nlohmann::json::parse(*json);
        rec.erase("id");  // control records are not deduplicated by id on the server
        array.push_back(std::move(rec));
      }
      send("/v1/admin/reference-data", array.dump(), "application/json", line);
      recorded += end - start;
    } else if (route == Route::kWorkflow) {
      const auto* d = first->body_as_WorkflowDeployed();
      nlohmann::json body = {{"file", d->name()->str() + ".wf"},
                             {"source", d->source() ? d->source()->str() : ""}};
      send("/v1/admin/workflows", body.dump(), "application/json", line);
      ++recorded;
    } else {
      nlohmann::json body = {{"to", std::to_string(first->body_as_ClockTick()->now())}};
      send("/v1/admin/clock", body.dump(), "application/json", line);
      ++recorded;
    }
    start = end;
  }
  std::cout << "recorded " << recorded << " record(s) from " << name << " at " << o.remote.server;
  if (duplicates) std::cout << " (" << duplicates << " already there)";
  std::cout << std::endl;
}

void RunPublish(const PublishOptions& o) {
  if (!o.remote.server.empty()) {
    std::ifstream f;
    if (o.file != "-") {
      f.open(o.file);
      if (!f) Fail("cannot open " + o.file);
    }
    PublishRemote(o, o.file == "-" ? std::cin : f, o.file == "-" ? "<stdin>" : o.file);
    return;
  }
  Node n = Node::Open(o.data, /*read_only=*/false, 0, /*sync=*/!o.no_sync);
  uint32_t partitions = n.partitions();

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
  // Control records the engine would refuse (a routing table its workflows cannot use, a
  // departments table that leaves a workflow's fallback without a department, ...) are
  // refused here with its reason, naming the line, before anything is appended.
  // A record already in the log (the same file published again) is not judged again: it
  // will be acknowledged as a duplicate below.
  std::vector<std::pair<std::string, std::string_view>> control;
  for (const auto& rec : r.records) {
    auto known = n.ingress->Find(rec.id);
    if (!known.ok()) Fail(known.status().ToString() + "; nothing was appended");
    if (!*known) control.emplace_back("line " + std::to_string(rec.line), rec.bytes);
  }
  if (Status admitted = n.AdmitControl(control); !admitted.ok()) {
    std::cerr << name << ": " << admitted.message() << "\n"
              << "closeloop: nothing was appended\n";
    throw CLI::RuntimeError(1);
  }
  // At most once per id: a file published again (or after a lost acknowledgement) is not
  // recorded twice.
  rocks::IngressAppender& appender = *n.ingress;
  std::vector<events::IngressItem> items;
  for (auto& rec : r.records) items.push_back({rec.id, std::move(rec.bytes), rec.partitions});
  auto acks = appender.Append(items, !o.no_sync);
  if (!acks.ok()) Fail(acks.status().ToString() + "; nothing was appended");
  std::map<uint32_t, std::pair<uint64_t, uint64_t>> ranges;  // partition -> (first, count)
  size_t fresh = 0;
  for (const auto& a : *acks) {
    if (a.duplicate) continue;
    ++fresh;
    auto [it, added] = ranges.try_emplace(a.partition, a.offset, 0);
    it->second.first = std::min(it->second.first, a.offset);
    ++it->second.second;
  }
  std::cout << "appended " << fresh << " record(s) from " << name << ":";
  for (const auto& [p, range] : ranges) {
    std::cout << " p" << p << "+" << range.second << "@" << range.first;
  }
  if (fresh < acks->size()) std::cout << "; " << acks->size() - fresh << " already in the log";
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
  AddRemoteOptions(*cmd, &opts->remote);
  cmd->callback([opts] { RunPublish(*opts); });
}

}  // namespace closeloop::app
