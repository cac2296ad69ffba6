// One-step dispatch for an incident (一键调度): the contingency plan that matches it, the
// nearest suitable rescue teams and materials, and experts drawn "double random" (双随机)
// from the qualified set with a seed that goes into the ResourcesDispatched record, so a
// replay (rebuild or reprocess) sends exactly the same people.
//
// Pure functions of the reference data, the ticket and the seed: no clock, no global
// randomness, every list in a documented order. Thread-safe as far as ReferenceData is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/reference_data.h"
#include "engine/ticket.h"

namespace closeloop::engine {

// For each speciality the plan asks for, this many nearest experts with it are qualified;
// the draw picks the plan's expert_count among their union.
inline constexpr size_t kExpertsPerSpeciality = 5;

struct DispatchChoice {
  std::string plan;                    // plan id; "" when no plan matches
  std::vector<std::string> teams;      // team ids: one per plan team type, nearest capable
  std::vector<std::string> materials;  // "item@DEPOT-id": nearest depot holding each item
  std::vector<std::string> experts;    // expert ids in draw order
  GeoPoint at;                         // where distances were measured from
  bool located = false;                // false: no location known, distances from (0, 0)
};

// The seed of a draw: the first 8 bytes (big-endian) of SHA-256("<record id>/<ticket id>"),
// so each dispatch command draws afresh and a replay of the same record draws the same.
uint64_t DispatchSeed(std::string_view record_id, std::string_view ticket_id);

// Where the incident is: the subject's enterprise if the subject is one, else the centre of
// the ticket's jurisdiction (grid, else street, else district).
bool IncidentLocation(const ReferenceData& ref, const Ticket& t, GeoPoint* at);

// The incident level a ticket stands at: its `level` fact when it names an IncidentLevel,
// else "major" for severity major and "general" otherwise.
fb::IncidentLevel IncidentLevelOf(const Ticket& t);

// Chooses the plan (ReferenceData::PlanFor with the ticket's category as incident type, its
// level and district), then:
// - teams: for each of the plan's team types, the nearest team of that type able to answer
//   the incident type; without a plan, the nearest able team;
// - materials: for each of the plan's items, the nearest depot holding it;
// - experts: the plan's expert_count (at least 1 when it names specialities) drawn without
//   replacement from the qualified set (kExpertsPerSpeciality nearest per speciality, union
//   in speciality order then distance), by a Fisher-Yates draw on splitmix64(seed).
DispatchChoice ChooseResources(const ReferenceData& ref, const Ticket& t, uint64_t seed);

}  // namespace closeloop::engine
