#include "engine/world.h"

#include <cstdlib>

#include "dsl/compile.h"
#include "engine/keys.h"
#include "engine/notify_contacts.h"
#include "engine/routing.h"

namespace closeloop::engine {
namespace {

Calendar PlainCalendar() {
  CalendarSpec spec;
  spec.name = "weekdays";
  auto cal = Calendar::Create(spec);
  if (!cal.ok()) std::abort();  // only fails without a tz database; deps.sh installs tzdata
  return std::move(cal).value();
}

}  // namespace

World::World() : fallback_calendar_(PlainCalendar()) {}

Status World::ApplyControl(const fb::Record& record) {
  switch (record.body_type()) {
    case fb::Body::WorkflowDeployed: {
      const auto* d = record.body_as_WorkflowDeployed();
      std::vector<dsl::SourceFile> files(1);
      files[0].name = d->name()->str() + ".wf";
      files[0].text = d->source()->str();
      dsl::CompileResult r = dsl::Compile(files);
      if (!r.ok()) {
        std::string first = r.diagnostics.empty() ? "" : r.diagnostics.front().message;
        return InvalidArgument("workflow " + d->name()->str() + " does not compile: " + first);
      }
      auto program = std::make_shared<const dsl::Program>(std::move(*r.program));
      const dsl::Workflow* wf = program->Find(d->name()->string_view());
      if (wf == nullptr) {
        return InvalidArgument("the source does not define workflow " + d->name()->str());
      }
      if (d->version() != 0 && wf->version != d->version()) {
        return InvalidArgument("the source defines version " + std::to_string(wf->version) +
                               ", the deployment says " + std::to_string(d->version()));
      }
      // Looked up, not inserted: a refused deployment leaves the World as it was.
      if (auto it = workflows_.find(wf->name); it != workflows_.end() && !it->second.empty() &&
                                               it->second.rbegin()->first >= wf->version) {
        return FailedPrecondition("workflow " + wf->name + " version " +
                                  std::to_string(wf->version) +
                                  " is not newer than the deployed version " +
                                  std::to_string(it->second.rbegin()->first));
      }
      for (const dsl::ServiceDecl& svc : wf->services) {
        for (const dsl::Workflow* other : LatestAll()) {
          if (other->name != wf->name && other->FindService(svc.code) != nullptr) {
            return FailedPrecondition("service " + svc.code + " is already offered by workflow " +
                                      other->name);
          }
        }
      }
      if (Status s = CheckFallbackKind(*wf, reference_); !s.ok()) {
        return FailedPrecondition(s.message() + ": publish a departments table with one first");
      }
      if (wf->routing && wf->routing->kind.empty()) {
        if (const RoutingTable* table = reference_.Routing(wf->routing->table)) {
          CL_RETURN_IF_ERROR(CheckRoutingColumns(*wf, *table));
        }
      }
      workflows_[wf->name][wf->version] = Deployed{program, wf};
      return Status::Ok();
    }
    case fb::Body::CalendarUpdated: {
      CL_ASSIGN_OR_RETURN(Calendar cal, Calendar::FromRecord(record.body_as_CalendarUpdated()));
      std::string name = cal.name();
      calendars_.insert_or_assign(name, std::move(cal));
      return Status::Ok();
    }
    case fb::Body::ReferenceDataUpdated:
      if (const auto* u = record.body_as_ReferenceDataUpdated();
          u->table_name()->string_view() == kNotifyTableName) {
        return ApplyNotify(*u);
      } else if (u->table_name()->string_view() == kRosterTableName) {
        return ApplyRosters(*u);
      } else if (u->table_name()->string_view() == kStaffTableName) {
        return ApplyStaff(*u);
      } else if (u->table_name()->string_view() == "departments") {
        // A departments table that would leave a workflow's `fallback kind` with no
        // department is refused whole, so the fallback lead always resolves. Every deployed
        // version counts: open tickets finish on the version they started on.
        ReferenceData next = reference_;
        CL_RETURN_IF_ERROR(next.ApplyRecord(record));
        for (const auto& [name, versions] : workflows_) {
          for (const auto& [version, deployed] : versions) {
            if (Status s = CheckFallbackKind(*deployed.workflow, next); !s.ok()) {
              return FailedPrecondition("departments v" + std::to_string(u->version()) + ": " +
                                        s.message() + " in this table");
            }
          }
        }
        reference_ = std::move(next);
        return Status::Ok();
      }
      return reference_.ApplyRecord(record);
    case fb::Body::RoutingTableUpdated: {
      CL_ASSIGN_OR_RETURN(RoutingTable table,
                          RoutingTable::FromRecord(*record.body_as_RoutingTableUpdated()));
      for (const dsl::Workflow* wf : LatestAll()) {
        CL_RETURN_IF_ERROR(CheckRoutingColumns(*wf, table));
      }
      return reference_.ApplyRecord(record);
    }
    default:
      return Status::Ok();  // ClockTick is handled by the processor
  }
}

Status World::ApplyNotify(const fb::ReferenceDataUpdated& update) {
  uint32_t current = notify_ ? notify_->version() : 0;
  if (notify_ && update.version() <= current) {
    return FailedPrecondition(
        std::string(kNotifyTableName) + " version " + std::to_string(update.version()) +
        " is not newer than the version in effect " + std::to_string(current));
  }
  auto table = NotifyTable::Parse(update.content_json()->string_view(), update.version());
  if (!table.ok()) {
    return InvalidArgument(std::string(kNotifyTableName) + " v" + std::to_string(update.version()) +
                           ": " + table.status().message());
  }
  const std::string at =
      std::string(kNotifyTableName) + " v" + std::to_string(update.version()) + ": ";
  const auto& subs = table->subscriptions();
  for (size_t i = 0; i < subs.size(); ++i) {
    for (size_t j = 0; j < subs[i].to.size(); ++j) {
      const NotifyRecipient& r = subs[i].to[j];
      if (r.kind == NotifyRecipient::Kind::kRoster && (!rosters_ || !rosters_->Find(r.roster))) {
        return FailedPrecondition(at + "subscriptions[" + std::to_string(i) + "].to[" +
                                  std::to_string(j) + "]: subscription '" + subs[i].id +
                                  "' names roster '" + r.roster +
                                  "', which the duty_rosters in effect do not hold");
      }
    }
  }
  if (Status s = CheckSubscriptionContacts(*table, rosters()); !s.ok()) {
    return FailedPrecondition(at + s.message());
  }
  notify_ = std::move(*table);
  return Status::Ok();
}

Status World::ApplyRosters(const fb::ReferenceDataUpdated& update) {
  uint32_t current = rosters_ ? rosters_->version() : 0;
  if (rosters_ && update.version() <= current) {
    return FailedPrecondition(
        std::string(kRosterTableName) + " version " + std::to_string(update.version()) +
        " is not newer than the version in effect " + std::to_string(current));
  }
  auto table = RosterTable::Parse(update.content_json()->string_view(), update.version());
  if (!table.ok()) {
    return InvalidArgument(std::string(kRosterTableName) + " v" + std::to_string(update.version()) +
                           ": " + table.status().message());
  }
  const std::string at =
      std::string(kRosterTableName) + " v" + std::to_string(update.version()) + ": ";
  const auto& all = table->rosters();
  for (size_t i = 0; i < all.size(); ++i) {
    if (!calendars_.count(all[i].calendar)) {
      return FailedPrecondition(at + "rosters[" + std::to_string(i) + "].calendar: roster '" +
                                all[i].id + "' names calendar '" + all[i].calendar +
                                "', which was not published");
    }
  }
  if (notify_) {
    for (const Subscription& sub : notify_->subscriptions()) {
      for (const NotifyRecipient& r : sub.to) {
        if (r.kind == NotifyRecipient::Kind::kRoster && !table->Find(r.roster)) {
          return FailedPrecondition(at + "rosters: roster '" + r.roster +
                                    "' is named by subscription '" + sub.id +
                                    "'; change the subscriptions first");
        }
      }
    }
    if (Status s = CheckRosterContacts(*table, *notify_); !s.ok()) {
      return FailedPrecondition(at + s.message());
    }
  }
  rosters_ = std::move(*table);
  return Status::Ok();
}

Status World::ApplyStaff(const fb::ReferenceDataUpdated& update) {
  const std::string name(kStaffTableName);
  if (staff_ && update.version() <= staff_->version()) {
    return FailedPrecondition(name + " version " + std::to_string(update.version()) +
                              " is not newer than the version in effect " +
                              std::to_string(staff_->version()));
  }
  auto table = StaffDirectory::Parse(update.content_json()->string_view(), update.version());
  if (!table.ok()) {
    return InvalidArgument(name + " v" + std::to_string(update.version()) + ": " +
                           table.status().message());
  }
  staff_ = std::move(*table);
  return Status::Ok();
}

const dsl::Workflow* World::Latest(std::string_view name) const {
  auto it = workflows_.find(name);
  if (it == workflows_.end() || it->second.empty()) return nullptr;
  return it->second.rbegin()->second.workflow;
}

const dsl::Workflow* World::Find(std::string_view name, uint32_t version) const {
  auto it = workflows_.find(name);
  if (it == workflows_.end()) return nullptr;
  auto v = it->second.find(version);
  return v == it->second.end() ? nullptr : v->second.workflow;
}

std::vector<const dsl::Workflow*> World::LatestAll() const {
  std::vector<const dsl::Workflow*> out;
  for (const auto& [name, versions] : workflows_) {
    if (!versions.empty()) out.push_back(versions.rbegin()->second.workflow);
  }
  return out;
}

const Calendar& World::CalendarFor(std::string_view name) const {
  auto it = calendars_.find(name);
  return it == calendars_.end() ? fallback_calendar_ : it->second;
}

std::string World::CityZone() const {
  std::map<std::string, int, std::less<>> uses;  // published calendar -> workflows on it
  for (const dsl::Workflow* wf : LatestAll()) {
    if (calendars_.count(wf->calendar) != 0) ++uses[wf->calendar];
  }
  const Calendar* best = nullptr;
  int most = 0;
  for (const auto& [name, n] : uses) {
    if (n > most) most = n, best = &calendars_.find(name)->second;
  }
  if (best == nullptr && !calendars_.empty()) best = &calendars_.begin()->second;
  return best != nullptr ? best->time_zone() : fallback_calendar_.time_zone();
}

int64_t AddDuration(int64_t t_ms, const dsl::Duration& d, const Calendar& calendar) {
  switch (d.unit) {
    case dsl::DurationUnit::kWorkingDays:
      return calendar.AddWorkingDays(t_ms, d.count);
    case dsl::DurationUnit::kWorkingHours:
      return calendar.AddWorkingTime(t_ms, d.count * 3600 * 1000);
    case dsl::DurationUnit::kMonths:
      return calendar.AddMonths(t_ms, d.count);
    default:
      return t_ms + d.CalendarMillis();
  }
}

Status LoadStoredControl(const StateReader& state, uint32_t p, uint64_t* seq, World* world) {
  Status bad = Status::Ok();
  CL_RETURN_IF_ERROR(state.Scan(
      keys::Config(p, *seq), keys::PrefixEnd(keys::ConfigPrefix(p)),
      [&](std::string_view, std::string_view bytes) {
        auto rec = events::VerifyRecord(bytes);
        if (!rec.ok()) {
          bad = Corruption("state: control record " + std::to_string(*seq) + " of partition " +
                           std::to_string(p) + ": " + rec.status().message());
          return false;
        }
        // A refusal is the engine's decision, taken again the same.
        world->ApplyControl(**rec).IgnoreError();
        ++*seq;
        return true;
      }));
  return bad;
}

Result<uint64_t> CountStoredControl(const StateReader& state, uint32_t p, uint64_t from) {
  uint64_t n = 0;
  CL_RETURN_IF_ERROR(state.Scan(keys::Config(p, from), keys::PrefixEnd(keys::ConfigPrefix(p)),
                                [&](std::string_view, std::string_view) {
                                  ++n;
                                  return true;
                                }));
  return n;
}

}  // namespace closeloop::engine
