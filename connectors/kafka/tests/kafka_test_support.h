// What the Kafka tests feed the engine: the reference data and workflow deployments that
// let hazard reports open tickets, and hazard reports with one subject each (so each opens
// exactly one ticket). Shared by connectors/kafka/tests and tests/kafka.
#pragma once

#include <string>
#include <vector>

#include "engine/store.h"

namespace closeloop::kafka::testing {

// JSON records, one per line, in publishing order: calendars, departments, hazard routing,
// then WorkflowDeployed for hazard_disposal and oversight_case (engine/tests/workflows).
std::vector<std::string> SetupRecords(const std::string& source_dir);

// A HazardReport about subject "KT-<run>-<i>" (a gas hazard in Liuhe).
std::string HazardReport(const std::string& run, int i);

// Ticket records ("P t/<id>") in `state`.
uint64_t CountTickets(const engine::StateReader& state);

}  // namespace closeloop::kafka::testing
