// closeloop process | replay | digest | clock advance
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/node.h"
#include "app/remote.h"
#include "app/wall_clock.h"
#include "dsl/compile.h"
#include "engine/keys.h"
#include "engine/queries.h"
#include "events/record_build.h"

namespace closeloop::app {
namespace {

struct EngineOptions {
  RemoteOptions remote;  // clock advance --server
  std::vector<std::string> files;
  std::string data = "./data";
  std::string into;
  std::string until;
  bool reprocess = false;
  std::string duration;
};

void PrintDigest(const engine::StateReader& state) {
  auto digest = engine::StateDigest(state);
  if (!digest.ok()) Fail(digest.status().ToString());
  std::cout << "digest " << *digest << "\n";
}

void RunProcess(const EngineOptions& o) {
  Node n = Node::Open(o.data, /*read_only=*/false, 0, true, /*create=*/false);
  uint64_t done = n.ProcessAll();
  std::cout << "processed " << done << " record(s)\n";
  PrintDigest(*n.store);
}

void RunDigest(const EngineOptions& o) {
  Node n = Node::Open(o.data, /*read_only=*/true);
  PrintDigest(*n.store);
}

void RunReplay(const EngineOptions& o) {
  namespace fs = std::filesystem;
  if (fs::exists(o.into) && !fs::is_empty(o.into))
    Fail("--into " + o.into + " must be a new or empty directory");
  Node source = Node::Open(o.data, /*read_only=*/true);
  for (uint32_t p = 0; p < source.partitions(); ++p) {
    // A rebuild passes a clock record without deciding: the due tickets the engine had not
    // reached yet would never be decided at that tick.
    auto work = source.store->Get(engine::keys::TickWork(p));
    if (!work.ok()) Fail(work.status().ToString());
    if (work->has_value()) {
      Fail("partition " + std::to_string(p) + " of " + o.data +
           " stopped in the middle of a clock record's work; run `closeloop process --data " +
           o.data + "` (or the server) until it finishes, then replay");
    }
  }
  {
    // The new directory gets the log and its metadata (heads, trees, users, tokens, keys)
    // verbatim, then state rebuilt from that copy: a whole node an operator can serve, and
    // whose tickets' histories (positions in the log) point into its own log.
    auto raw = rocks::RocksDb::Open(o.into, rocks::DbOptions{.sync = false});
    if (!raw.ok()) Fail(raw.status().ToString());
    for (const char* family : {"log", "meta"}) {
      Status copied = source.db->CopyFamilyTo(family, **raw);
      if (!copied.ok()) Fail(copied.ToString());
    }
  }
  Node target = Node::Open(o.into, /*read_only=*/false, source.partitions(), /*sync=*/false);
  for (uint32_t p = 0; p < source.partitions(); ++p) {
    if (target.log->Head(p).last_hash != source.log->Head(p).last_hash)
      Fail("the copy of partition " + std::to_string(p) + "'s log differs from " + o.data);
  }
  engine::ProcessorOptions opts;
  opts.mode = o.reprocess ? engine::Mode::kReprocess : engine::Mode::kRebuild;
  opts.records_per_commit = 1024;
  if (!o.until.empty()) {
    // Small numbers are offsets (per partition); big ones and ISO texts are times.
    auto t = ParseTimeIn(o.until, source.CityZone());
    if (!t.ok()) Fail("--until: " + t.status().message(), 2);
    if (*t < 1'000'000'000'000LL) {
      opts.until_offset = static_cast<uint64_t>(*t);
    } else {
      opts.until_time = *t;
    }
  }
  uint64_t records = 0, emitted = 0, mismatches = 0;
  std::string first;
  auto start = std::chrono::steady_clock::now();
  for (uint32_t p = 0; p < source.partitions(); ++p) {
    engine::Processor proc(p, *target.log, *target.store, opts);
    Status s = proc.Open();
    if (!s.ok()) Fail(s.ToString());
    auto r = proc.ProcessAvailable();
    if (!r.ok()) Fail(r.status().ToString());
    records += proc.stats().records;
    emitted += proc.stats().emitted;
    mismatches += proc.stats().mismatches;
    if (first.empty()) first = proc.stats().first_mismatch;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << (o.reprocess ? "reprocessed " : "rebuilt from ") << records << " record(s) in "
            << secs << " s";
  if (o.reprocess) std::cout << ", re-emitted " << emitted << ", mismatches " << mismatches;
  std::cout << "\n";
  PrintDigest(*target.store);
  if (mismatches > 0) {
    std::cout << "first mismatch: " << first << "\n";
    throw CLI::RuntimeError(1);
  }
}

void RunClockAdvance(const EngineOptions& o) {
  auto d = ParseDuration(o.duration);
  if (!d.ok()) Fail(d.status().message(), 2);
  if (!o.remote.server.empty()) {  // a server with --clock manual
    auto r = RemotePost(o.remote, "/v1/admin/clock", nlohmann::json{{"by", o.duration}}.dump(),
                        "application/json");
    if (!r.ok()) Fail(r.status().ToString());
    if (r->status != 200) Fail(DescribeError(*r));
    // The server's city zone, for printing (its times are instants).
    auto w = RemoteGet(o.remote, "/v1/workflows");
    const std::string zone = w.ok() && w->body.is_object() && w->body.contains("time_zone") &&
                                     w->body["time_zone"].is_string()
                                 ? w->body["time_zone"].get<std::string>()
                                 : "UTC";
    std::cout << "clock " << FormatTimeIn(r->Integer("from"), zone) << " -> "
              << FormatTimeIn(r->Integer("to"), zone) << " at " << o.remote.server << std::endl;
    return;
  }
  Node n = Node::Open(o.data, /*read_only=*/false, 0, true, /*create=*/false);
  n.ProcessAll();
  int64_t base = n.EngineNow();
  if (base == 0) base = WallClockMillis();
  int64_t now = base + *d;
  Status appended = n.AppendClockTick(now, "closeloop-clock");
  if (!appended.ok()) Fail(appended.ToString());
  uint64_t done = n.ProcessAll();
  const std::string zone = n.CityZone();
  std::cout << "clock " << FormatTimeIn(base, zone) << " -> " << FormatTimeIn(now, zone)
            << "; processed " << done << " record(s)\n";
}

// Through a running server (POST /v1/admin/workflows, an administrator's token): the files
// compiled together here first, then each file through the admin route, which answers once
// the engine applied it. A file the engine refuses in this order (422: say B takes over a
// service that A's new version gives up, and B comes first) is tried again after the
// others; only when a whole pass deploys nothing is the first refusal final. Unlike the
// offline deploy this is not all or nothing: the files deployed before a final refusal stay
// deployed (deploying them again is refused as not newer), and the message counts them.
void DeployRemote(const EngineOptions& o, const std::vector<dsl::SourceFile>& sources) {
  size_t deployed = 0;
  std::vector<const dsl::SourceFile*> pending;
  for (const dsl::SourceFile& src : sources) pending.push_back(&src);
  while (!pending.empty()) {
    std::vector<const dsl::SourceFile*> refused;
    std::string first_refusal;
    for (const dsl::SourceFile* src : pending) {
      nlohmann::json body = {{"file", src->name}, {"source", src->text}};
      auto reply = RemotePost(o.remote, "/v1/admin/workflows", body.dump(), "application/json");
      if (!reply.ok()) Fail(reply.status().ToString());
      if (reply->status == 422) {
        if (first_refusal.empty()) first_refusal = src->name + ": " + DescribeError(*reply);
        refused.push_back(src);
        continue;
      }
      if (reply->status != 201) {
        Fail(src->name + ": " + DescribeError(*reply) + "; " + std::to_string(deployed) +
             " workflow(s) were deployed before it");
      }
      if (reply->body.is_object() && reply->body.contains("deployed") &&
          reply->body["deployed"].is_array()) {
        for (const auto& wf : reply->body["deployed"]) {
          if (!wf.is_object()) continue;
          std::cout << "deployed " << wf.value("name", std::string()) << " version "
                    << wf.value("version", 0) << " from " << src->name << "\n";
          ++deployed;
        }
      }
    }
    if (refused.size() == pending.size()) {
      Fail(first_refusal + "; " + std::to_string(deployed) + " workflow(s) were deployed");
    }
    pending = std::move(refused);
  }
  std::cout << "deployed " << deployed << " workflow(s) at " << o.remote.server << std::endl;
}

void RunDeploy(const EngineOptions& o) {
  std::vector<dsl::SourceFile> sources;
  auto compiled = dsl::CompileFiles(o.files, &sources);
  if (!compiled.ok()) Fail(compiled.status().ToString(), 2);
  if (!compiled->ok()) {
    std::string out;
    dsl::RunCheck(o.files, &out);
    std::cerr << out << "closeloop: nothing was deployed\n";
    throw CLI::RuntimeError(1);
  }
  if (!o.remote.server.empty()) {
    DeployRemote(o, sources);
    return;
  }
  Node n = Node::Open(o.data, /*read_only=*/false);
  std::vector<std::string> records, labels;
  for (const auto& wf : compiled->program->workflows) {
    const dsl::SourceFile* src = nullptr;
    for (const auto& s : sources) {
      if (s.name == wf.file) src = &s;
    }
    if (src == nullptr) Fail("internal: no source for workflow " + wf.name);
    records.push_back(
        events::WorkflowDeployedRecord("closeloop-deploy", "", wf.name, wf.version, src->text));
    labels.push_back("workflow " + wf.name + " (" + wf.file + ")");
    std::cout << "deploying " << wf.name << " version " << wf.version << " from " << wf.file
              << "\n";
  }
  // Refused here, with the engine's reason, rather than appended and refused in processing;
  // appended in an order the engine admits (a service moving from one workflow to another
  // needs the one giving it up first), whatever the files' order.
  std::vector<size_t> order;
  std::vector<std::pair<std::string, std::string_view>> labelled;
  for (size_t i = 0; i < records.size(); ++i) labelled.emplace_back(labels[i], records[i]);
  if (Status admitted = n.AdmitControl(labelled, &order); !admitted.ok()) {
    Fail(admitted.message() + "; nothing was deployed");
  }
  std::vector<std::string> ordered;
  for (size_t i : order) ordered.push_back(records[i]);
  Status appended = n.AppendControl(ordered);
  if (!appended.ok()) Fail(appended.ToString());
  std::cout << "deployed " << records.size() << " workflow(s)" << std::endl;
}

}  // namespace

void AddEngineCommands(CLI::App& root) {
  auto deploy = std::make_shared<EngineOptions>();
  CLI::App* dep = root.add_subcommand(
      "deploy",
      "Compile workflow files and, if clean, append a WorkflowDeployed record for each workflow");
  AddDataOption(*dep, &deploy->data);
  AddRemoteOptions(*dep, &deploy->remote);
  dep->add_option("files", deploy->files, "workflow sources (.wf)")->required();
  dep->callback([deploy] { RunDeploy(*deploy); });

  auto process = std::make_shared<EngineOptions>();
  CLI::App* p = root.add_subcommand(
      "process",
      "Process everything appended but not yet processed, then exit (same path as serve)");
  AddDataOption(*p, &process->data);
  p->callback([process] { RunProcess(*process); });

  auto digest = std::make_shared<EngineOptions>();
  CLI::App* d = root.add_subcommand("digest", "Print a digest over all derived state");
  AddDataOption(*d, &digest->data);
  d->callback([digest] { RunDigest(*digest); });

  auto replay = std::make_shared<EngineOptions>();
  CLI::App* r = root.add_subcommand(
      "replay",
      "Copy the log into a new directory, rebuild all derived state there from it, and print its "
      "digest (the new directory is a whole node: serve it). "
      "Default: from the recorded engine records (fast, what an auditor uses). --reprocess: "
      "re-run every decision from the inputs and compare each emitted record with the recorded "
      "one (exit 1 on any difference).");
  AddDataOption(*r, &replay->data);
  r->add_option("--into", replay->into, "a new, empty directory for the rebuilt state")->required();
  r->add_option("--until", replay->until,
                "stop before this offset (per partition) or after this time (ms or ISO 8601)");
  r->add_flag("--reprocess", replay->reprocess, "re-run decisions and compare with the log");
  r->callback([replay] { RunReplay(*replay); });

  auto clock = std::make_shared<EngineOptions>();
  CLI::App* c = root.add_subcommand("clock", "The engine's clock (time is an input: a record)");
  c->require_subcommand(1);
  CLI::App* adv = c->add_subcommand(
      "advance", "Append a clock record DURATION after the engine's time, and process");
  AddDataOption(*adv, &clock->data);
  adv->add_option("duration", clock->duration, "e.g. 30m, 2h, 3d")->required();
  AddRemoteOptions(*adv, &clock->remote);
  adv->callback([clock] { RunClockAdvance(*clock); });
}

}  // namespace closeloop::app
