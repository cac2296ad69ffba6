#include "workflows/demo/stream.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <queue>
#include <sstream>

#include "dsl/compile.h"
#include "events/hash.h"
#include "events/ids.h"
#include "events/json_codec.h"
#include "workflows/demo/foresight.h"
#include "workflows/demo/staff.h"

namespace closeloop::demo {
namespace {

using Json = nlohmann::ordered_json;
constexpr int64_t kMinute = 60'000, kDay = 24 * 60 * kMinute;

// One thing due on the timeline: an agency's event, or a planned staff action about a
// ticket (dropped if the ticket has moved on since it was planned).
struct Due {
  int64_t at;
  uint64_t seq;
  std::string json;       // an agency's event
  std::string ticket_id;  // a staff action
  uint32_t version = 0;
  StaffAction action;
  bool operator>(const Due& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

class Generator {
 public:
  Generator(const StreamOptions& o, const std::function<void(std::string_view)>& sink)
      : o_(o),
        sink_(sink),
        foresight_(o.partitions),
        cause_("closeloop-demo/" + std::to_string(o.seed)) {}

  // Publishes one record at `at`: fixed id, written out, and shown to Foresight.
  Result<std::vector<std::string>> Publish(std::string_view json, int64_t at) {
    std::string line = R"({"id":")" + events::DeriveId(at, cause_, next_id_++).ToString() + "\"," +
                       std::string(json.substr(1));
    CL_ASSIGN_OR_RETURN(std::string bytes, codec_.FromJson(line));
    CL_ASSIGN_OR_RETURN(const fb::Record* rec, events::VerifyRecord(bytes));
    sink_(line);
    ++counts_.records;
    ++counts_.by_type[std::string(events::BodyName(rec->body_type()))];
    if (events::KindOf(rec->body_type()) == events::BodyKind::kControl) {
      Status s = foresight_.ApplyControl(*rec);
      if (!s.ok()) return s.Annotate("the engine would refuse " + line.substr(0, 120));
      return foresight_.TakeTimerChanges();
    }
    return foresight_.Apply(*rec);
  }

  // Plans what staff do next about each changed ticket.
  void Plan(const std::vector<std::string>& ids, int64_t not_before) {
    for (const std::string& id : ids) {
      const engine::Ticket* t = foresight_.Find(id);
      if (t == nullptr) continue;
      if (t->closed) {
        foresight_.Forget(id);
        continue;
      }
      if (!planned_.count(id)) {
        planned_.insert(id);
        ++counts_.tickets;
      }
      const dsl::Workflow* wf = foresight_.WorkflowOf(*t);
      if (wf == nullptr) continue;
      auto a = DecideNext(o_.seed, *wf, *t, foresight_.world().reference());
      if (!a) continue;
      a->at = std::max(a->at, not_before);
      Due d{a->at, seq_++, "", id, t->version, std::move(*a)};
      queue_.push(std::move(d));
    }
  }

  Status Run(const City& city, const std::vector<std::pair<std::string, std::string>>& workflows,
             Rates rates, int64_t start, int days, int tick_minutes) {
    counts_.start_ms = start;
    CL_RETURN_IF_ERROR(Tick(start).status());
    for (const std::string& rec : city.reference_records) {
      CL_RETURN_IF_ERROR(Publish(rec, start).status());
    }
    for (const auto& [name, source] : workflows) {
      Json rec = {{"source", "closeloop-demo"},
                  {"body_type", "WorkflowDeployed"},
                  {"body",
                   {{"name", name},
                    {"source", source},
                    {"source_sha256", events::ToHex(events::Sha256Of(std::string_view(source)))}}}};
      CL_RETURN_IF_ERROR(Publish(rec.dump(), start).status());
    }
    counts_.setup = counts_.records - 1;
    Agencies agencies(city, rates, o_.seed);
    const int64_t tick = tick_minutes * kMinute, end = start + days * kDay;
    std::vector<AgencyEvent> events;
    for (int64_t now = start; now < end; now += tick) {
      if (now > start) {
        CL_ASSIGN_OR_RETURN(auto changed, Tick(now));
        Plan(changed, now);
      }
      events.clear();
      agencies.Between(now, now + tick, &events);
      for (auto& e : events) queue_.push(Due{e.at, seq_++, std::move(e.json), "", 0, {}});
      while (!queue_.empty() && queue_.top().at < now + tick) {
        Due d = queue_.top();
        queue_.pop();
        std::vector<std::string> changed;
        if (d.ticket_id.empty()) {
          CL_ASSIGN_OR_RETURN(changed, Publish(d.json, d.at));
        } else {
          const engine::Ticket* t = foresight_.Find(d.ticket_id);
          if (t == nullptr || t->closed || t->version != d.version) continue;  // moved on
          const bool command = d.action.event_type == "StaffCommand";
          CL_ASSIGN_OR_RETURN(changed, Publish(ActionRecord(*t, d.action, 0), d.at));
          if (command) ++counts_.commands;
        }
        Plan(changed, d.at);
      }
    }
    counts_.end_ms = end;
    return Status::Ok();
  }

  StreamCounts counts() const { return counts_; }

 private:
  Result<std::vector<std::string>> Tick(int64_t now) {
    ++counts_.ticks;
    return Publish(Json{{"source", "closeloop-demo-clock"},
                        {"body_type", "ClockTick"},
                        {"body", {{"now", now}}}}
                       .dump(),
                   now);
  }

  const StreamOptions& o_;
  const std::function<void(std::string_view)>& sink_;
  Foresight foresight_;
  events::JsonCodec codec_;
  std::string cause_;
  uint32_t next_id_ = 0;
  uint64_t seq_ = 0;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> queue_;
  std::set<std::string> planned_;
  StreamCounts counts_;
};

}  // namespace

Result<Scale> ParseScale(std::string_view name) {
  if (name == "small") return Scale::kSmall;
  if (name == "city") return Scale::kCity;
  return InvalidArgument("scale must be small or city, not '" + std::string(name) + "'");
}

Rates RatesFor(Scale scale, const City& city) {
  return scale == Scale::kSmall ? Rates{} : city.profile.city_rates;
}

Result<std::vector<std::pair<std::string, std::string>>> ReadWorkflows(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".wf") paths.push_back(entry.path().string());
  }
  if (ec) return NotFound("cannot list workflows in " + dir + ": " + ec.message());
  std::sort(paths.begin(), paths.end());
  if (paths.empty()) return NotFound("no workflows (*.wf) in " + dir);
  std::vector<dsl::SourceFile> files;
  for (const auto& p : paths) {
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return NotFound("cannot read " + p);
    files.push_back({fs::path(p).filename().string(), text.str()});
  }
  // Compiled as a set (as `closeloop deploy` does) for each workflow's name; each is
  // deployed with its file's source.
  dsl::CompileResult compiled = dsl::Compile(files);
  if (!compiled.ok()) {
    const auto& d = compiled.diagnostics.front();
    return InvalidArgument("workflows in " + dir + " do not compile: " + files[d.file].name + ": " +
                           d.message);
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& wf : compiled.program->workflows) {
    for (const auto& f : files) {
      if (f.name == wf.file) out.emplace_back(wf.name, f.text);
    }
  }
  return out;
}

Result<StreamCounts> GenerateStream(const StreamOptions& o,
                                    const std::function<void(std::string_view)>& sink) {
  CL_ASSIGN_OR_RETURN(City city, LoadCity(o.reference_dir));
  const bool small = o.scale == Scale::kSmall;
  Synthesise(city,
             o.enterprises ? o.enterprises
             : small       ? 0
                           : city.profile.city_enterprises,
             o.seed);
  CL_ASSIGN_OR_RETURN(auto workflows, ReadWorkflows(o.workflows_dir));
  const int64_t start = o.start_ms ? o.start_ms
                        : small    ? Shanghai(2026, 3, 2)
                                   : Shanghai(2025, 1, 1);
  const int days = o.days ? o.days : small ? 14 : 365;
  Generator gen(o, sink);
  CL_RETURN_IF_ERROR(gen.Run(city, workflows, RatesFor(o.scale, city), start, days,
                             o.tick_minutes ? o.tick_minutes : 10));
  StreamCounts counts = gen.counts();
  counts.enterprises = city.enterprises.size();
  return counts;
}

}  // namespace closeloop::demo
