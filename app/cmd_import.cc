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
#include <algorithm>
#include <fstream>
#include <iostream>

#include "app/commands.h"
#include "app/node.h"
#include "app/wall_clock.h"
#include "connectors/file/jsonl.h"
#include "events/record.h"

namespace closeloop::app {
namespace {

struct ImportOptions {
  std::string data = "./data";
  std::string file;
  std::string reorder_window = "1h";
  bool no_sync = false;
};

struct Timed {
  int64_t at = 0;
  file::PreparedRecord rec;
};

void RunImport(const ImportOptions& o) {
  auto window = ParseDuration(o.reorder_window);
  if (!window.ok()) Fail("--reorder-window: " + window.status().message(), 2);
  Node n = Node::Open(o.data, /*read_only=*/false, 0, !o.no_sync);
  n.ProcessAll();
  const int64_t clock = n.EngineNow();

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
                                FormatTime(clock) +
                                "): an import continues from where the log stands");
      continue;
    }
    if (latest != INT64_MIN && at < latest - *window) {
      refuse("occurred_at", FormatTime(at) + " is more than " + o.reorder_window + " before line " +
                                std::to_string(latest_line) + " (" + FormatTime(latest) +
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
  std::vector<rocks::IngressItem> items;
  int64_t now = clock;
  size_t ticks = 0;
  for (auto& e : events) {
    if (e.at > now) {
      file::PreparedRecord tick;
      std::vector<file::IngressError> bad;
      const std::string json = R"({"source": "closeloop-import","body_type": "ClockTick",)"
                               R"("body": {"now": )" +
                               std::to_string(e.at) + "}}";
      if (!preparer.Prepare(json, 0, WallClockMillis(), &tick, &bad)) {
        Fail("clock record: " + bad.front().message);
      }
      items.push_back({tick.id, std::move(tick.bytes), tick.partitions});
      now = e.at;
      ++ticks;
    }
    items.push_back({e.rec.id, std::move(e.rec.bytes), e.rec.partitions});
  }
  auto acks = n.ingress->Append(items, !o.no_sync);
  if (!acks.ok()) Fail(acks.status().ToString() + "; nothing was imported");
  size_t fresh = 0;
  for (const auto& a : *acks) fresh += a.duplicate ? 0 : 1;
  const uint64_t processed = n.ProcessAll();
  std::cout << "imported " << events.size() << " event(s) from " << name << ", "
            << FormatTime(events.front().at) << " to " << FormatTime(events.back().at) << ", with "
            << ticks << " clock record(s)";
  if (fresh < items.size()) std::cout << " (" << items.size() - fresh << " already in the log)";
  std::cout << "; processed " << processed << " record(s)" << std::endl;
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
  cmd->add_flag("--no-sync", opts->no_sync, "do not fsync (faster; loses data on power failure)");
  cmd->callback([opts] { RunImport(*opts); });
}

}  // namespace closeloop::app
