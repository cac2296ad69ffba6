#include "app/node.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "app/commands.h"
#include "app/wall_clock.h"
#include "connectors/file/ingress.h"
#include "engine/queries.h"
#include "engine/world.h"
#include "events/record.h"
#include "events/record_build.h"

namespace closeloop::app {

Node Node::Open(const std::string& data, bool read_only, uint32_t partitions, bool sync,
                bool create) {
  auto n = TryOpen(data, read_only, partitions, sync, create);
  if (!n.ok()) Fail(n.status().ToString());
  return std::move(*n);
}

Result<Node> Node::TryOpen(const std::string& data, bool read_only, uint32_t partitions, bool sync,
                           bool create, uint64_t min_free_bytes, uint64_t memory_bytes) {
  if (memory_bytes < kMinMemoryBytes) {
    return InvalidArgument("--memory: " + std::to_string(memory_bytes >> 20) +
                           " MiB is under the " + std::to_string(kMinMemoryBytes >> 20) +
                           " MiB the engine needs");
  }
  Node n;
  n.memory_bytes = memory_bytes;
  rocks::DbOptions options{.sync = sync,
                           .create_if_missing = create && !read_only,
                           .read_only = read_only,
                           .min_free_bytes = min_free_bytes,
                           .memory_bytes = memory_bytes / 8 * 5};
  CL_ASSIGN_OR_RETURN(n.db, rocks::RocksDb::Open(data, options));
  CL_ASSIGN_OR_RETURN(n.log, rocks::EmbeddedLog::Open(n.db.get(), partitions));
  n.store = std::make_unique<rocks::RocksStore>(n.db.get(), n.log.get());
  if (!read_only) n.ingress = std::make_unique<rocks::IngressAppender>(*n.db, *n.log);
  return n;
}

std::vector<std::unique_ptr<engine::Processor>> Node::Processors(engine::ProcessorOptions options) {
  options.ticket_cache_bytes = memory_bytes / 4 / std::max<uint32_t>(1, partitions());
  std::vector<std::unique_ptr<engine::Processor>> out;
  for (uint32_t p = 0; p < partitions(); ++p) {
    out.push_back(std::make_unique<engine::Processor>(p, *log, *store, options));
    Status s = out.back()->Open();
    if (!s.ok()) Fail(s.ToString());
  }
  return out;
}

uint64_t Node::ProcessAll() {
  auto procs = Processors();
  uint64_t total = 0;
  for (;;) {
    uint64_t round = 0;
    for (auto& p : procs) {
      auto n = p->ProcessAvailable();
      if (!n.ok()) Fail(n.status().ToString());
      round += *n;
    }
    total += round;
    if (round == 0) return total;
  }
}

int64_t Node::EngineNow() {
  auto now = engine::EngineNow(*store, partitions());
  if (!now.ok()) {
    spdlog::error("the engine's clock could not be read: {}", now.status().ToString());
    return 0;
  }
  return *now;
}

std::string Node::CityZone() {
  engine::World world;
  uint64_t seq = 0;
  if (Status s = engine::LoadStoredControl(*store, 0, &seq, &world); !s.ok()) {
    Fail("the city's configuration could not be read: " + s.ToString());
  }
  return world.CityZone();
}

Status Node::AdmitControl(const std::vector<std::pair<std::string, std::string_view>>& records,
                          std::vector<size_t>* order) {
  if (order != nullptr) {
    order->clear();
    for (size_t i = 0; i < records.size(); ++i) order->push_back(i);
  }
  std::vector<std::pair<size_t, const fb::Record*>> control;  // index into records
  for (size_t i = 0; i < records.size(); ++i) {
    CL_ASSIGN_OR_RETURN(const fb::Record* rec, events::VerifyRecord(records[i].second));
    switch (rec->body_type()) {
      case fb::Body::WorkflowDeployed:
      case fb::Body::CalendarUpdated:
      case fb::Body::ReferenceDataUpdated:
      case fb::Body::RoutingTableUpdated:
        control.emplace_back(i, rec);
        break;
      default:
        break;  // events, and clock ticks (the processor judges those)
    }
  }
  if (control.empty()) return Status::Ok();
  // The configuration as it is: what partition 0's processor applied, then the control
  // records appended after its position, applied as it will apply them (one it will refuse
  // changes nothing). Nothing is processed here.
  engine::World world;
  uint64_t seq = 0;
  CL_RETURN_IF_ERROR(engine::LoadStoredControl(*store, 0, &seq, &world));
  CL_ASSIGN_OR_RETURN(uint64_t from, engine::InputPosition(*store, 0));
  for (const uint64_t end = log->Head(0).end_offset; from < end;) {
    CL_ASSIGN_OR_RETURN(auto batch, log->Read(0, from, 1024));
    if (batch.empty()) break;
    for (const auto& stored : batch) {
      from = stored.offset + 1;
      CL_ASSIGN_OR_RETURN(const fb::Record* rec, events::VerifyRecord(stored.bytes));
      switch (rec->body_type()) {
        case fb::Body::WorkflowDeployed:
        case fb::Body::CalendarUpdated:
        case fb::Body::ReferenceDataUpdated:
        case fb::Body::RoutingTableUpdated:
          (void)world.ApplyControl(*rec);
          break;
        default:
          break;
      }
    }
  }
  // Their own order first (on a copy: a refused record must leave nothing behind).
  Status first;
  {
    engine::World trial = world;
    for (const auto& [i, rec] : control) {
      if (Status s = trial.ApplyControl(*rec); !s.ok()) {
        first = FailedPrecondition(records[i].first + ": the engine refuses it: " + s.message());
        break;
      }
    }
  }
  if (first.ok() || order == nullptr || control.size() != records.size()) return first;
  // Any order: each time, the first remaining record the engine admits.
  order->clear();
  std::vector<std::pair<size_t, const fb::Record*>> left = control;
  while (!left.empty()) {
    bool progressed = false;
    for (auto it = left.begin(); it != left.end(); ++it) {
      engine::World next = world;
      if (next.ApplyControl(*it->second).ok()) {
        world = std::move(next);
        order->push_back(it->first);
        left.erase(it);
        progressed = true;
        break;
      }
    }
    if (!progressed) return first;
  }
  return Status::Ok();
}

Status Node::AppendControl(const std::vector<std::string>& records) {
  CL_ASSIGN_OR_RETURN(auto batch, file::ControlBatch(records, partitions(), WallClockMillis()));
  auto r = log->Append(std::move(batch));
  return r.ok() ? Status::Ok() : r.status();
}

Status Node::AppendClockTick(int64_t now_ms, std::string_view source) {
  return AppendControl({events::ClockTickRecord(source, now_ms)});
}

}  // namespace closeloop::app
