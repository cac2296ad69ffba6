// closeloop import [--data DIR] [--reorder-window D] FILE.jsonl|-
//
// A city's past as it happened: every event opens its ticket, and closes or moves it, at
// its own `occurred_at`, not at today's clock. Time is an input, so the import derives the
// clock from the events: before each event later than the clock it appends a ClockTick at
// that event's time (the ladder's deadlines that passed in between fire at that tick, as
// they would have then), all in one atomic batch, then processes. Replaying the log gives
// the same state: the ticks are records like any other.
//
// Refused, naming the line, with nothing appended: a control record or staff command (load
// the city's calendars, reference data and workflows with `publish`/`deploy` first; staff
// commands name tickets an import cannot know), an event without `occurred_at`, an event
// earlier than the engine's clock (an import continues from where the log stands), and an
// event more than the reorder window before one on an earlier line. Within the window,
// events are put in time order (a stable sort: equal times keep the file's order).
//
// And refused after a trial: the import is first run on a scratch copy of the data directory
// (DIR.import-trial.PID, hard links, removed after), and an event that nothing took there (no
// ticket opened for it or attached it, no open ticket acted on it: a close before its open, an
// update of a ticket already closed, a service no workflow offers) is named by its line, with
// nothing imported.
// --keep-unmatched imports such events anyway and counts them.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "app/commands.h"
#include "app/node.h"
#include "app/wall_clock.h"
#include "connectors/file/jsonl.h"
#include "events/record.h"
#include "events/record_build.h"

namespace closeloop::app {
namespace {

struct ImportOptions {
  std::string data = "./data";
  std::string file;
  std::string reorder_window = "1h";
  bool no_sync = false;
  bool keep_unmatched = false;
};

struct Timed {
  int64_t at = 0;
  file::PreparedRecord rec;
};

// Runs `items` on a scratch copy of `n`'s database and returns, of `events` (by id), those no
// engine record names as its cause there: the events nothing took.
std::vector<const Timed*> Untaken(Node& n, const std::string& data,
                                  const std::vector<events::IngressItem>& items,
                                  const std::vector<Timed>& events) {
  // Beside the data directory (`data/` and `data` alike), named for this process: a
  // directory of that name is never touched. One left by a killed import holds hard links
  // to old files until removed by hand (docs/operations.md).
  std::filesystem::path dir = std::filesystem::path(data).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  const std::string trial = dir.string() + ".import-trial." + std::to_string(::getpid());
  if (std::filesystem::exists(trial)) Fail(trial + " exists; nothing was imported");
  if (Status s = n.db->CopyTo(trial); !s.ok()) Fail(s.ToString() + "; nothing was imported");
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code e;
      std::filesystem::remove_all(dir, e);
    }
  } cleanup{trial};
  std::set<std::string> caused;
  {
    Node t = Node::Open(trial, /*read_only=*/false, 0, /*sync=*/false, /*create=*/false);
    std::vector<uint64_t> from(t.partitions());
    for (uint32_t p = 0; p < t.partitions(); ++p) from[p] = t.log->Head(p).end_offset;
    auto acks = t.ingress->Append(items, false);
    if (!acks.ok()) Fail(acks.status().ToString() + "; nothing was imported");
    t.ProcessAll();
    for (uint32_t p = 0; p < t.partitions(); ++p) {
      for (uint64_t at = from[p]; at < t.log->Head(p).end_offset;) {
        auto batch = t.log->Read(p, at, 4096);
        if (!batch.ok()) Fail(batch.status().ToString() + "; nothing was imported");
        if (batch->empty()) break;
        for (const auto& stored : *batch) {
          at = stored.offset + 1;
          auto r = events::VerifyRecord(stored.bytes);
          if (r.ok() && (*r)->causation_id()) caused.insert((*r)->causation_id()->str());
        }
      }
    }
    for (const auto& a : *acks) {
      if (a.duplicate) caused.insert(a.id);  // already in the log: taken (or not) back then
    }
  }
  std::vector<const Timed*> out;
  for (const Timed& e : events) {
    if (caused.count(e.rec.id) == 0) out.push_back(&e);
  }
  return out;
}

void RunImport(const ImportOptions& o) {
  auto window = ParseDuration(o.reorder_window);
  if (!window.ok()) Fail("--reorder-window: " + window.status().message(), 2);
  Node n = Node::Open(o.data, /*read_only=*/false, 0, !o.no_sync);
  n.ProcessAll();
  const int64_t clock = n.EngineNow();
  const std::string zone = n.CityZone();

  std::ifstream file;
  std::istream* in = &std::cin;
  const std::string name = o.file == "-" ? "<stdin>" : o.file;
  if (o.file != "-") {
    file.open(o.file);
    if (!file) Fail("cannot open " + o.file);
    in = &file;
  }
  file::JsonlResult r = file::ReadJsonl(*in, n.partitions(), WallClockMillis());
  std::vector<file::IngressError> errors = std::move(r.errors);
  std::vector<Timed> events;
  int64_t latest = INT64_MIN;
  int latest_line = 0;
  for (auto& rec : r.records) {
    const fb::Record* record = *events::VerifyRecord(rec.bytes);
    const fb::Body type = record->body_type();
    auto refuse = [&](const std::string& field, const std::string& message) {
      errors.push_back({rec.line, 1, field, message});
    };
    if (events::KindOf(type) != events::BodyKind::kIngress || type == fb::Body::StaffCommand ||
        type == fb::Body::PageAcknowledgement) {
      refuse("body_type", std::string(events::BodyName(type)) +
                              ": an import holds agencies' events only (publish calendars, "
                              "reference data and workflows first; staff commands cannot be "
                              "imported)");
      continue;
    }
    const int64_t at = record->occurred_at();
    if (at <= 0) {
      refuse("occurred_at", "required in an import: the time the event happened");
      continue;
    }
    if (at < clock) {
      refuse("occurred_at", std::to_string(at) + " ms is before the engine's clock (" +
                                FormatTimeIn(clock, zone) +
                                "): an import continues from where the log stands");
      continue;
    }
    if (latest != INT64_MIN && at < latest - *window) {
      refuse("occurred_at", FormatTimeIn(at, zone) + " is more than " + o.reorder_window +
                                " before line " + std::to_string(latest_line) + " (" +
                                FormatTimeIn(latest, zone) +
                                "): sort the file, or widen --reorder-window");
      continue;
    }
    if (at > latest) latest = at, latest_line = rec.line;
    events.push_back({at, std::move(rec)});
  }
  if (!errors.empty()) {
    std::sort(errors.begin(), errors.end(),
              [](const auto& a, const auto& b) { return a.line < b.line; });
    for (const auto& e : errors) std::cerr << file::FormatError(name, e) << "\n";
    std::cerr << "closeloop: " << errors.size() << " bad line(s) in " << name
              << "; nothing was imported\n";
    throw CLI::RuntimeError(1);
  }
  if (events.empty()) {
    std::cout << "no events in " << name << "\n";
    return;
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Timed& a, const Timed& b) { return a.at < b.at; });

  // The clock each event needs, then the event: one batch, all or nothing.
  file::IngressPreparer preparer(n.partitions());
  std::vector<events::IngressItem> items;
  int64_t now = clock;
  size_t ticks = 0;
  for (auto& e : events) {
    if (e.at > now) {
      file::PreparedRecord tick;
      std::vector<file::IngressError> bad;
      if (!preparer.PrepareRecord(events::ClockTickRecord("closeloop-import", e.at),
                                  WallClockMillis(), &tick, &bad)) {
        Fail("clock record: " + bad.front().message);
      }
      items.push_back({tick.id, std::move(tick.bytes), tick.partitions});
      now = e.at;
      ++ticks;
    }
    items.push_back({e.rec.id, e.rec.bytes, e.rec.partitions});
  }
  const std::vector<const Timed*> untaken = Untaken(n, o.data, items, events);
  if (!untaken.empty() && !o.keep_unmatched) {
    std::vector<file::IngressError> bad;
    for (const Timed* e : untaken) {
      const fb::Record* record = *events::VerifyRecord(e->rec.bytes);
      bad.push_back({e->rec.line, 1, "subject",
                     std::string(events::BodyName(record->body_type())) + " about '" +
                         (record->subject() ? record->subject()->str() : "") + "' at " +
                         FormatTimeIn(e->at, zone) +
                         ": nothing took it (no workflow opened a ticket for it, no open ticket "
                         "acted on it): a close before its open, an update of a closed ticket, "
                         "or something no workflow handles? (--keep-unmatched imports it anyway)"});
    }
    std::sort(bad.begin(), bad.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
    for (const auto& e : bad) std::cerr << file::FormatError(name, e) << "\n";
    std::cerr << "closeloop: " << bad.size() << " event(s) in " << name
              << " that nothing took; nothing was imported\n";
    throw CLI::RuntimeError(1);
  }
  auto acks = n.ingress->Append(items, !o.no_sync);
  if (!acks.ok()) Fail(acks.status().ToString() + "; nothing was imported");
  size_t fresh = 0;
  for (const auto& a : *acks) fresh += a.duplicate ? 0 : 1;
  const uint64_t processed = n.ProcessAll();
  std::cout << "imported " << events.size() << " event(s) from " << name << ", "
            << FormatTimeIn(events.front().at, zone) << " to "
            << FormatTimeIn(events.back().at, zone) << ", with " << ticks << " clock record(s)";
  if (fresh < items.size()) std::cout << " (" << items.size() - fresh << " already in the log)";
  std::cout << "; processed " << processed << " record(s)";
  if (!untaken.empty()) std::cout << "; " << untaken.size() << " event(s) nothing took";
  std::cout << std::endl;
}

}  // namespace

void AddImportCommand(CLI::App& root) {
  auto opts = std::make_shared<ImportOptions>();
  CLI::App* cmd = root.add_subcommand(
      "import",
      "Import a city's past events (JSON Lines, or - for stdin) at their own occurred_at: the "
      "clock follows the events (ClockTick records), so tickets open, run overdue and close "
      "when they did. Every line is checked first; one bad line and nothing is imported.");
  AddDataOption(*cmd, &opts->data);
  cmd->add_option("file", opts->file, "JSONL file of events, or -")->required();
  cmd->add_option("--reorder-window", opts->reorder_window,
                  "how far an event may precede one on an earlier line and still be put in "
                  "order (beyond it the line is refused)")
      ->capture_default_str();
  cmd->add_flag("--keep-unmatched", opts->keep_unmatched,
                "import events that nothing takes (no ticket opened, attached or moved) instead "
                "of refusing the file");
  cmd->add_flag("--no-sync", opts->no_sync, "do not fsync (faster; loses data on power failure)");
  cmd->callback([opts] { RunImport(*opts); });
}

}  // namespace closeloop::app
