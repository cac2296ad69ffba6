// A whole engine in memory for scenario tests: an in-memory log and store, one processor per
// partition, and helpers to publish records, deploy workflows, advance the clock, act on
// tickets and read what happened. Everything goes through the real pipeline:
// record -> log -> processor -> state.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/processor.h"
#include "engine/testing/memory_store.h"
#include "engine/ticket.h"

namespace closeloop::engine::testing {

// Milliseconds since the epoch of a local time in Asia/Shanghai (UTC+8).
int64_t Shanghai(int y, int m, int d, int hh = 0, int mm = 0);

class Harness {
 public:
  explicit Harness(uint32_t partitions = 4, ProcessorOptions options = {});

  // Appends one ingress/control record (JSON) where it belongs, then processes everything.
  // Returns the record's id.
  std::string Publish(const std::string& json);
  // Every line of a JSONL file (paths relative to the source tree).
  void PublishFile(const std::string& relative_path);
  // Deploys a workflow: the source text, or a path under the source tree ending in .wf.
  void Deploy(const std::string& name, const std::string& source_or_path);
  // A ClockTick at `now_ms`.
  void Clock(int64_t now_ms);
  // A staff command on `ticket` (its subject filled in); `extra` adds body fields, e.g.
  // R"("reason": "not ours")". Returns the command's id.
  std::string Act(const std::string& ticket, const std::string& verb, const std::string& actor,
                  const std::string& role, const std::string& department,
                  const std::string& extra = "");

  // Processes every partition until none has anything left.
  void ProcessAll();

  std::optional<Ticket> Find(const std::string& id) const;
  std::vector<Ticket> Tickets() const;  // all, by partition then id
  std::vector<Ticket> TicketsOf(const std::string& workflow) const;
  // The ticket's engine records, as "Type" names, in order.
  std::vector<std::string> HistoryTypes(const std::string& id) const;
  // Every engine record of a type in the log (JSON), in partition/offset order.
  // A record copied to several partitions (TicketChained, the resource ledger's) counts once.
  std::vector<std::string> RecordsOfType(const std::string& type) const;
  // The CommandRejected caused by command `command_id`, as JSON; "" when none.
  std::string RejectionOf(const std::string& command_id) const;

  MemoryStore& store() { return store_; }
  uint32_t partitions() const { return partitions_; }
  int64_t now() const { return now_; }

 private:
  uint32_t partitions_;
  MemoryStore store_;
  std::vector<std::unique_ptr<Processor>> processors_;
  int64_t now_ = 0;
};

// A workflow for tests that need many tickets late at once: a fireworks report opens a
// quick order with three working hours; past them it chains an oversight case, whose
// subject ("JW-" + subject) usually lives in another partition.
inline constexpr const char* kQuickOrder = R"(workflow quick_order version 1 loop prevention
uses workflow oversight_case
start on HazardReport when event.category == "fireworks" enter open
state open
  limit 3 hours
  on close by assignee -> done
state done terminal
escalate
  step oversight at limit: chain oversight_case (subject = "JW-" + subject, reason = "overdue")
)";

// The test city: the shipped PRC calendar, Nanjing departments and hazard routing, an
// oversight routing table (Liuhe to its discipline commission), and the prevention
// (hazard_disposal) and oversight (oversight_case) workflows of engine/tests/workflows.
void LoadTestCity(Harness& h);

}  // namespace closeloop::engine::testing
