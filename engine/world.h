// What a partition's processor computes with besides ticket state: the deployed workflow
// versions, the calendars and the reference data. All of it comes from control records
// on the log (WorkflowDeployed, CalendarUpdated, RoutingTableUpdated, ReferenceDataUpdated),
// applied in log order, so replay rebuilds exactly the same World.
//
// Not thread-safe: one World per partition processor.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/program.h"
#include "engine/calendar.h"
#include "engine/duty_roster.h"
#include "engine/notify_rules.h"
#include "engine/reference_data.h"
#include "engine/staff_directory.h"
#include "engine/store.h"
#include "events/record.h"

namespace closeloop::engine {

class World {
 public:
  World();

  // Applies a control record. An error means the record was refused (a workflow that does
  // not compile, a calendar that does not validate); the World is unchanged then, and the
  // processor records the refusal.
  Status ApplyControl(const fb::Record& record);

  // The latest deployed version of a workflow, or a given version; nullptr if none.
  const dsl::Workflow* Latest(std::string_view name) const;
  const dsl::Workflow* Find(std::string_view name, uint32_t version) const;
  // The latest version of every workflow, by name.
  std::vector<const dsl::Workflow*> LatestAll() const;

  // The calendar by name; a Monday-to-Friday 09:00-17:00 calendar in Asia/Shanghai when none
  // was published under that name (so deadlines are always defined).
  const Calendar& CalendarFor(std::string_view name) const;

  // The city's time zone, for showing and reading times (not for deadlines: each workflow
  // counts on its own calendar): the zone of the calendar most of the deployed workflows
  // count on (ties: the calendar first by name), else of the published calendar first by
  // name, else
  // that of CalendarFor's built-in calendar (a city with no calendar yet counts its deadlines
  // on that one too).
  std::string CityZone() const;

  const ReferenceData& reference() const { return reference_; }
  // The notification subscriptions in effect (ReferenceDataUpdated "notify_subscriptions",
  // notify_rules.h); nullptr before the first.
  const NotifyTable* notify() const { return notify_ ? &*notify_ : nullptr; }
  // The duty rosters in effect (ReferenceDataUpdated "duty_rosters", duty_roster.h); nullptr
  // before the first. A subscription names only rosters in effect, and a roster table keeps
  // every roster a subscription names: each refuses the other's breach.
  const RosterTable* rosters() const { return rosters_ ? &*rosters_ : nullptr; }
  // The staff directory in effect (ReferenceDataUpdated "staff", staff_directory.h): who may
  // be assigned a ticket; nullptr before the first.
  const StaffDirectory* staff() const { return staff_ ? &*staff_ : nullptr; }

 private:
  Status ApplyNotify(const fb::ReferenceDataUpdated& update);
  Status ApplyRosters(const fb::ReferenceDataUpdated& update);
  Status ApplyStaff(const fb::ReferenceDataUpdated& update);
  struct Deployed {
    std::shared_ptr<const dsl::Program> program;  // owns the workflow
    const dsl::Workflow* workflow = nullptr;
  };
  std::map<std::string, std::map<uint32_t, Deployed>, std::less<>> workflows_;
  std::map<std::string, Calendar, std::less<>> calendars_;
  Calendar fallback_calendar_;
  ReferenceData reference_;
  std::optional<NotifyTable> notify_;
  std::optional<RosterTable> rosters_;
  std::optional<StaffDirectory> staff_;
};

// t + d: calendar units exactly; working units on `calendar`.
int64_t AddDuration(int64_t t_ms, const dsl::Duration& d, const Calendar& calendar);

// The World as a processor stored it. A processor keeps every control record it took or
// refused in its state (keys::Config, in log order); applying them again, each refusal
// refused again, rebuilds its World exactly. The one loader for the processor (at start),
// the HTTP API's cache and the demo's staff.
//
// Applies partition `p`'s stored control records from the `*seq`-th on to `world`, advancing
// `*seq` past each one applied. Corruption when a stored record does not verify: `*seq` stops
// before it, so a retry meets it again rather than building a World without it.
Status LoadStoredControl(const StateReader& state, uint32_t p, uint64_t* seq, World* world);
// How many control records partition `p` has stored from the `from`-th on.
Result<uint64_t> CountStoredControl(const StateReader& state, uint32_t p, uint64_t from);

}  // namespace closeloop::engine
