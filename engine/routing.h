// Where a ticket goes: its lead (and assisting) departments from the workflow's `route by`
// table or `route to kind` (dsl/program.h Routing), and whether a routing table can route a
// workflow's tickets at all. One authority, used by the processor when a ticket opens, by
// the World when a table or a workflow is published, and by the demo's foresight.
// The table itself (a record validated, the row that matches) is RoutingTable in
// reference_data.h, its code in routing_table.cc.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "dsl/expr.h"
#include "dsl/program.h"
#include "engine/reference_data.h"

namespace closeloop::engine {

class World;

// The department of `kind` at the level of `district`, else the city-level one, else null.
// The departments table is an ordered map, so the first match is stable.
const Department* DepartmentOfKind(const ReferenceData& ref, std::string_view kind,
                                   std::string_view district);

// The workflow's fallback lead: the department id it names, or with `fallback kind "K"` the
// city-level department of kind K; "" when `routing` is null or no such department exists
// (the World refuses a workflow in that state, so processing never meets it).
std::string FallbackLead(const ReferenceData& ref, const dsl::Routing* routing);

// Where a return without a destination, and an arbitration, go: the safety-committee office
// of `jurisdiction`'s district (or the city's), else the workflow's fallback lead.
std::string SafetyOfficeOrFallback(const ReferenceData& ref, const dsl::Workflow& wf,
                                   std::string_view jurisdiction);

// Ok when every `fallback kind "K"` of `wf` names a kind with a city-level department in
// `ref`; otherwise the reason, for the World to refuse the workflow or the departments table.
Status CheckFallbackKind(const dsl::Workflow& wf, const ReferenceData& ref);

// The lead, assists and the rule that chose them for a ticket of `wf` (which must route),
// its facts seen through `env`, in `jurisdiction`. The workflow's fallback when the table
// is missing or no row matches, with the rule saying so.
RouteResult RouteTicket(const World& world, const dsl::Workflow& wf, const dsl::Env& env,
                        std::string_view jurisdiction);

// Ok when `table` can route tickets of `wf`: every column a row matches on is a key the
// workflow's `route by` gives. Otherwise the rows naming another column could never match
// and every such ticket would silently fall back, so the table or workflow is refused.
Status CheckRoutingColumns(const dsl::Workflow& wf, const RoutingTable& table);

}  // namespace closeloop::engine
