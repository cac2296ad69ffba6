#include "app/demo_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "app/wall_clock.h"
#include "connectors/file/attachment_store.h"
#include "connectors/file/ingress.h"
#include "engine/queries.h"
#include "engine/world.h"
#include "workflows/builtin_city.h"
#include "workflows/demo/demo_photo.h"
#include "workflows/demo/staff.h"
#include "workflows/demo/stream.h"

namespace closeloop::app {

namespace fs = std::filesystem;

namespace {

// Whether a listed person who works tickets has these claims.
bool Listed(const std::vector<demo::Persona>& people, const std::string& role,
            const std::string& department) {
  for (const auto& p : people) {
    if (!demo::WorksTickets(p) || p.department != department) continue;
    if (p.role == role) return true;
    if (std::find(p.acts_as.begin(), p.acts_as.end(), role) != p.acts_as.end()) return true;
  }
  return false;
}

}  // namespace

struct DemoRunner::State {
  demo::City city;
  std::unique_ptr<demo::Agencies> agencies;
  engine::World world;                    // from the engine's own index of control records
  uint64_t config_seq = 0;                // control records of partition 0 applied so far
  std::map<std::string, uint32_t> acted;  // open ticket -> the version staff acted on
  int64_t last_now = 0;
};

DemoRunner::DemoRunner(Node& node, DemoOptions options)
    : node_(node), options_(std::move(options)), state_(std::make_unique<State>()) {
  if (options_.start_ms == 0) options_.start_ms = demo::Shanghai(2026, 3, 2, 8, 0);
}

DemoRunner::~DemoRunner() { Stop(); }

Status DemoRunner::Append(const std::vector<std::string>& jsons) {
  if (jsons.empty()) return Status::Ok();
  file::IngressPreparer preparer(node_.partitions());
  const int64_t now = WallClockMillis();
  std::vector<file::PreparedRecord> records;
  for (const std::string& json : jsons) {
    file::PreparedRecord rec;
    std::vector<file::IngressError> errors;
    if (!preparer.Prepare(json, 1, now, &rec, &errors)) {
      // A bug in the simulation, not the engine's business: say so and keep going.
      ++errors_;
      spdlog::error("demo: refused at ingress: {}: {} in {}", errors.front().field,
                    errors.front().message, json.substr(0, 200));
      continue;
    }
    records.push_back(std::move(rec));
  }
  auto r = node_.log->Append(file::ToBatch(records, node_.partitions()));
  return r.ok() ? Status::Ok() : r.status();
}

Status DemoRunner::Seed() {
  if (options_.workflows_dir.empty()) {
    if (options_.city_dir.empty())
      return InvalidArgument("demo: no directory for the built-in city");
    CL_ASSIGN_OR_RETURN(options_.workflows_dir, city::WriteBuiltinCity(options_.city_dir));
  }
  if (options_.reference_dir.empty()) {
    CL_ASSIGN_OR_RETURN(options_.reference_dir,
                        city::ReferenceDir(options_.workflows_dir, options_.city));
  }
  if (!options_.attachments_dir.empty()) {
    file::AttachmentStore files(options_.attachments_dir);
    CL_RETURN_IF_ERROR(files.Put(demo::DemoPhoto(), "demo").status());
  }
  // Which city the log holds, so a restart with another --city is refused, not mixed in.
  const std::string city_name = options_.city.empty() ? "nanjing" : options_.city;
  const fs::path marker =
      options_.city_dir.empty() ? fs::path() : fs::path(options_.city_dir) / "CITY";
  for (uint32_t p = 0; p < node_.partitions(); ++p) {
    if (node_.log->Head(p).end_offset > 0) {
      std::string seeded_city = "nanjing";  // data directories from before --city
      if (std::ifstream in(marker); !marker.empty() && in) std::getline(in, seeded_city);
      if (!marker.empty() && seeded_city != city_name) {
        return FailedPrecondition("demo: this data directory holds the demo of " + seeded_city +
                                  ", not " + city_name + ": start with --city " + seeded_city +
                                  " or with a new --data directory");
      }
      spdlog::info("demo: the log is not empty; resuming the demo city where it stands");
      return Status::Ok();
    }
  }
  if (!marker.empty()) {
    std::ofstream out(marker, std::ios::trunc);
    out << city_name << "\n";
    if (!out) return Unavailable("demo: cannot write " + marker.string());
  }
  demo::StreamOptions so;
  so.scale = demo::Scale::kSmall;
  so.seed = options_.seed;
  so.partitions = node_.partitions();
  so.reference_dir = options_.reference_dir;
  so.workflows_dir = options_.workflows_dir;
  so.days = options_.backfill_days;
  so.start_ms = options_.start_ms;
  std::vector<std::string> lines;
  CL_ASSIGN_OR_RETURN(demo::StreamCounts counts,
                      demo::GenerateStream(so, [&](std::string_view l) { lines.emplace_back(l); }));
  for (size_t i = 0; i < lines.size(); i += 2000) {
    std::vector<std::string> batch(lines.begin() + i,
                                   lines.begin() + std::min(lines.size(), i + 2000));
    CL_RETURN_IF_ERROR(Append(batch));
  }
  seeded_ = lines.size();
  spdlog::info(
      "demo: seeded {} record(s): the reference data of {}, {} workflow record(s), "
      "{} day(s) of history ({} tickets expected)",
      lines.size(), options_.reference_dir, counts.by_type["WorkflowDeployed"],
      options_.backfill_days, counts.tickets);
  // The Scheduler resumes from the engine's clock: let the engine reach the history's end.
  const int64_t last_tick = counts.end_ms - 10 * 60'000;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (node_.EngineNow() < last_tick) {
    if (std::chrono::steady_clock::now() > deadline)
      return Unavailable("demo: the engine did not process the seeded history within 2 minutes");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Ok();
}

void DemoRunner::Start() {
  auto city = demo::LoadCity(options_.reference_dir);
  if (!city.ok()) {
    spdlog::error("demo: {}", city.status().ToString());
    return;
  }
  state_->city = std::move(*city);
  demo::Rates rates = demo::RatesFor(demo::Scale::kSmall, state_->city);
  rates.periodic_inspections = false;  // live, staff answer the duty tickets they see
  state_->agencies =
      std::make_unique<demo::Agencies>(state_->city, rates, demo::SeedFor(options_.seed, "live"));
  stop_ = false;
  spdlog::info(
      "demo: the city lives from {} on the engine's clock (serve --demo runs it at x{:.0f} "
      "unless --clock-speed says otherwise: a simulated minute a second); the steps of the "
      "listed people wait for them",
      FormatTime(node_.EngineNow()), kDemoClockSpeed);
  thread_ = std::thread([this] { Run(); });
}

void DemoRunner::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void DemoRunner::Run() {
  State& s = *state_;
  while (!stop_) {
    std::this_thread::sleep_for(options_.poll);
    const int64_t now = node_.EngineNow();
    if (now <= s.last_now) continue;
    if (s.last_now == 0) {  // the city starts living at the engine's present
      s.last_now = now;
      continue;
    }
    std::vector<demo::AgencyEvent> events;
    s.agencies->Between(s.last_now, now, &events);
    std::vector<std::string> jsons;
    for (auto& e : events) jsons.push_back(std::move(e.json));
    Status st = Append(jsons);
    if (st.ok()) {
      events_ += jsons.size();
      st = StaffPass(now);
    }
    if (!st.ok()) {
      ++errors_;
      spdlog::error("demo: {}", st.ToString());
    }
    s.last_now = now;
  }
}

Status DemoRunner::StaffPass(int64_t now) {
  State& s = *state_;
  engine::StateStore& store = *node_.store;
  // Deployments and reference data as the engine applied them (partition 0's copies).
  CL_RETURN_IF_ERROR(engine::LoadStoredControl(store, 0, &s.config_seq, &s.world));
  std::vector<std::string> jsons;
  std::map<std::string, uint32_t> acted;
  uint64_t commands = 0, answers = 0, held = 0;
  const std::vector<demo::Persona>& people = s.city.profile.personas;
  for (uint32_t p = 0; p < node_.partitions(); ++p) {
    CL_RETURN_IF_ERROR(engine::ForEachOpenTicket(store, p, [&](const engine::Ticket& t) {
      auto done = s.acted.find(t.id);
      if (done != s.acted.end() && done->second == t.version) {
        acted[t.id] = t.version;
        return true;
      }
      const dsl::Workflow* wf = s.world.Find(t.workflow, t.workflow_version);
      if (wf == nullptr) return true;
      // A step one of the signed-in people may take: the whole ticket waits for them.
      for (const auto& person : people) {
        if (demo::OffersStep(*wf, t, s.world.reference(), person)) {
          ++held;
          return true;
        }
      }
      auto a = demo::DecideNext(options_.seed, *wf, t, s.world.reference());
      if (!a || a->at > now) return true;
      a->at = now;
      const bool command = a->event_type == "StaffCommand";
      // Never in a listed person's name (an assisting department's step, say).
      if (command && Listed(people, demo::RoleClaim(a->role), a->department)) {
        ++held;
        return true;
      }
      jsons.push_back(demo::ActionRecord(t, *a, command ? t.version : 0));
      (command ? commands : answers)++;
      acted[t.id] = t.version;
      return true;
    }));
  }
  s.acted = std::move(acted);
  CL_RETURN_IF_ERROR(Append(jsons));
  commands_ += commands;
  answers_ += answers;
  held_ = held;
  return Status::Ok();
}

std::vector<demo::Persona> DemoRunner::Personas() const { return state_->city.profile.personas; }

DemoStats DemoRunner::stats() const {
  return {seeded_.load(),  events_.load(), commands_.load(),
          answers_.load(), errors_.load(), held_.load()};
}

}  // namespace closeloop::app
