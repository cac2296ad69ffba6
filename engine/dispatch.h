// One-step dispatch for an incident (一键调度): the contingency plan that matches it, the
// nearest suitable rescue teams and materials that are free, and experts drawn "double
// random" (双随机) from the qualified set with a seed that goes into the ResourcesDispatched
// record, so a replay (rebuild or reprocess) sends exactly the same people.
//
// What other incidents hold comes from the resource ledger (resource_ledger.h): a team or
// expert committed to an open incident is passed over until released; a depot's stock is
// what its table states less what has been drawn since; an expert on leave or off duty at
// the engine's time, employed by the enterprise concerned or with a declared conflict with
// it, or who declined this incident, is not qualified.
//
// Distances: the road distance the team's or depot's table gives for the incident's place
// (the enterprise, else the jurisdiction whose centre stands for the place), else the
// straight line (haversine, whole metres); each leg of the record says which.
//
// Pure functions of the reference data, the ticket, the ledger, the time and the seed: no
// clock, no global randomness, every list in a documented order. Thread-safe as far as
// ReferenceData is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/reference_data.h"
#include "engine/resource_ledger.h"
#include "engine/ticket.h"

namespace closeloop::engine {

// For each speciality the plan asks for, this many nearest eligible experts with it are
// qualified; the draw picks the plan's expert_count among their union.
inline constexpr size_t kExpertsPerSpeciality = 5;

// Where an incident is, and which name the road-distance tables use for that place.
struct IncidentPlace {
  GeoPoint at;
  bool located = false;   // false: no location known, distances from (0, 0)
  std::string key;        // enterprise id or jurisdiction code; "" when not located
  std::string enterprise; // the subject when it is an enterprise of the table
};

struct Reach {
  int64_t metres = 0;
  bool road = false;  // false: straight line
};

// The distance from a base to the place: road_metres[place.key] when the table has it,
// else the straight line.
Reach ReachOf(const std::map<std::string, int64_t, std::less<>>& road_metres, GeoPoint base,
              const IncidentPlace& place);

struct TeamLeg {
  std::string team, type;
  Reach reach;
};
struct MaterialLeg {
  std::string item, depot, unit;
  int64_t quantity = 0;
  int64_t left = 0;  // what the depot holds of the item after this draw
  Reach reach;
};
struct Shortage {
  std::string item;
  int64_t requested = 0, missing = 0;
};
struct PassedOver {
  std::string id, reason, holder;  // reason codes: see events/engine.fbs, PassedOver
};

struct DispatchChoice {
  std::string plan;                    // plan id; "" when no plan matches
  std::vector<std::string> teams;      // team ids: one per plan team type, nearest free capable
  std::vector<std::string> materials;  // "item@DEPOT-id", one per leg
  std::vector<std::string> experts;    // expert ids in draw order
  IncidentPlace place;
  std::vector<TeamLeg> team_legs;          // in `teams` order
  std::vector<MaterialLeg> material_legs;  // plan item order, nearest depot first
  std::vector<Shortage> shortages;
  std::vector<PassedOver> passed_over;  // teams, then depots, then experts
  std::vector<std::string> qualified;   // the set the experts were drawn from, before the draw
  std::vector<std::string> unfilled;    // plan team types no free team answers
  uint32_t stock_version = 0;           // the material_depots version drawn against
};

// The seed of a draw: the first 8 bytes (big-endian) of SHA-256("<record id>/<ticket id>"),
// so each dispatch command draws afresh and a replay of the same record draws the same.
uint64_t DispatchSeed(std::string_view record_id, std::string_view ticket_id);

// Where the incident is: the subject's enterprise if the subject is one, else the centre of
// the ticket's jurisdiction (grid, else street, else district).
IncidentPlace PlaceOf(const ReferenceData& ref, const Ticket& t);

// The incident level a ticket stands at: its `level` fact when it names an IncidentLevel,
// else "major" for severity major and "general" otherwise.
fb::IncidentLevel IncidentLevelOf(const Ticket& t);

// Chooses the plan (ReferenceData::PlanFor with the ticket's category as incident type, its
// level and district), then:
// - teams: for each of the plan's team types, the nearest team of that type able to answer
//   the incident type that no open incident holds (this one included: reinforcements are
//   other teams); without a plan, the nearest free able team;
// - materials: for each of the plan's items, Plan::QuantityOf it, drawn from the nearest
//   depot with stock left, the rest from the next, and so on; what no depot has is a
//   shortage;
// - experts: the plan's expert_count (at least 1 when it names specialities) drawn without
//   replacement from the qualified set (kExpertsPerSpeciality nearest eligible per
//   speciality, union in speciality order then distance), by a Fisher-Yates draw on
//   splitmix64(seed).
// `now` is the engine's time (for experts' absences).
DispatchChoice ChooseResources(const ReferenceData& ref, const Ticket& t, uint64_t seed,
                               int64_t now, const LedgerView& ledger);

// A replacement for `declined`, an expert of this incident who declined: one expert drawn
// with `seed` from the qualified set of the plan's specialities the decliner has (all the
// plan's when they have none of them), eligibility as in ChooseResources. `expert` is ""
// when nobody qualified is left.
struct Replacement {
  std::string expert;
  std::vector<std::string> qualified;
  std::vector<PassedOver> passed_over;
};
Replacement ChooseReplacement(const ReferenceData& ref, const Ticket& t, std::string_view declined,
                              uint64_t seed, int64_t now, const LedgerView& ledger);

}  // namespace closeloop::engine
