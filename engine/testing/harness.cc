#include "engine/testing/harness.h"

#include <date/date.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "engine/keys.h"
#include "engine/queries.h"
#include "events/json_codec.h"
#include "events/testing/record_builder.h"
#include "events/validate.h"

namespace closeloop::engine::testing {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "harness: %s\n", what.c_str());
  std::abort();
}

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(CLOSELOOP_SOURCE_DIR) + "/" + relative);
  if (!in) Die("cannot read " + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int64_t Shanghai(int y, int m, int d, int hh, int mm) {
  auto day = date::sys_days{date::year{y} / m / d};
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(day.time_since_epoch()).count();
  return ms + (hh * 60LL + mm) * 60000 - 8 * 3600000LL;
}

Harness::Harness(uint32_t partitions, ProcessorOptions options)
    : partitions_(partitions), store_(partitions, "harness") {
  for (uint32_t p = 0; p < partitions; ++p) {
    processors_.push_back(std::make_unique<Processor>(p, store_.log(), store_, options));
    Status s = processors_.back()->Open();
    if (!s.ok()) Die(s.ToString());
  }
}

std::string Harness::Publish(const std::string& json) {
  std::string bytes =
      events::testing::IngressRecord(json, now_ > 0 ? now_ : Shanghai(2026, 1, 5, 9));
  const fb::Record* rec = *events::VerifyRecord(bytes);
  // Validate what the publisher wrote (the stamped record carries fields the log sets).
  events::JsonCodec codec;
  auto raw = codec.FromJson(json);
  if (!raw.ok()) Die(raw.status().ToString());
  auto errors = events::ValidateIngress(**events::VerifyRecord(*raw));
  if (!errors.empty()) Die(errors[0].field + ": " + errors[0].message + " in " + json);
  std::vector<events::PartitionAppend> batch;
  for (uint32_t p : events::TargetPartitions(*rec, partitions_)) batch.push_back({p, {bytes}});
  auto r = store_.log().Append(std::move(batch));
  if (!r.ok()) Die(r.status().ToString());
  ProcessAll();
  return rec->id()->str();
}

void Harness::PublishFile(const std::string& relative_path) {
  std::istringstream in(ReadSource(relative_path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) Publish(line);
  }
}

void Harness::Deploy(const std::string& name, const std::string& source_or_path) {
  std::string source =
      source_or_path.ends_with(".wf") ? ReadSource(source_or_path) : source_or_path;
  Publish(R"({"source": "admin","body_type": "WorkflowDeployed","body": {"name": ")" + name +
          R"(","source": )" + nlohmann::json(source).dump() + "}}");
}

void Harness::Clock(int64_t now_ms) {
  now_ = now_ms;
  Publish(R"({"source": "scheduler","body_type": "ClockTick","body": {"now": )" +
          std::to_string(now_ms) + "}}");
}

std::string Harness::Act(const std::string& ticket, const std::string& verb,
                         const std::string& actor, const std::string& role,
                         const std::string& department, const std::string& extra) {
  auto t = Find(ticket);
  if (!t) Die("no ticket " + ticket);
  std::string body = R"("ticket_id": ")" + ticket + R"(","verb": ")" + verb + R"(","role": ")" +
                     role + R"(","department": ")" + department + "\"";
  if (!extra.empty()) body += "," + extra;
  return Publish(R"({"source": "console","subject": ")" + t->subject + R"(","jurisdiction": ")" +
                 t->jurisdiction + R"(","occurred_at": )" +
                 std::to_string(now_ > 0 ? now_ : Shanghai(2026, 1, 5, 9)) + R"(,"actor": ")" +
                 actor + R"(","body_type": "StaffCommand","body": {)" + body + "}}");
}

void Harness::ProcessAll() {
  for (int round = 0; round < 100; ++round) {
    size_t total = 0;
    for (auto& p : processors_) {
      auto n = p->ProcessAvailable();
      if (!n.ok()) Die(n.status().ToString());
      total += *n;
    }
    if (total == 0) return;
  }
  Die("processing did not settle after 100 rounds");
}

std::optional<Ticket> Harness::Find(const std::string& id) const {
  for (uint32_t p = 0; p < partitions_; ++p) {
    auto v = store_.Get(keys::Ticket(p, id));
    if (v.ok() && *v) return *Ticket::Decode(**v);
  }
  return std::nullopt;
}

std::vector<Ticket> Harness::Tickets() const {
  std::vector<Ticket> out;
  for (uint32_t p = 0; p < partitions_; ++p) {
    std::string prefix = keys::Ticket(p, "");
    (void)store_.Scan(prefix, keys::PrefixEnd(prefix), [&](std::string_view, std::string_view v) {
      out.push_back(*Ticket::Decode(v));
      return true;
    });
  }
  return out;
}

std::vector<Ticket> Harness::TicketsOf(const std::string& workflow) const {
  std::vector<Ticket> out;
  for (auto& t : Tickets()) {
    if (t.workflow == workflow) out.push_back(t);
  }
  return out;
}

std::vector<std::string> Harness::HistoryTypes(const std::string& id) const {
  std::vector<std::string> out;
  auto history = TicketHistory(store_, store_.memory_log(), id);
  if (!history.ok()) return {"error: " + history.status().ToString()};
  for (const std::string& bytes : *history)
    out.emplace_back(events::BodyName((*events::VerifyRecord(bytes))->body_type()));
  return out;
}

std::vector<std::string> Harness::RecordsOfType(const std::string& type) const {
  std::vector<std::string> out;
  events::JsonCodec codec;
  // A record copied to other partitions (a chained child's, the resource ledger's) is one
  // record: its first place in partition order stands for it.
  std::set<std::string> seen;
  for (uint32_t p = 0; p < partitions_; ++p) {
    auto recs = *store_.memory_log().Read(p, 0, SIZE_MAX);
    for (const auto& r : recs) {
      const fb::Record* rec = *events::VerifyRecord(r.bytes);
      if (events::BodyName(rec->body_type()) != type) continue;
      if (rec->id() && !seen.insert(rec->id()->str()).second) continue;
      out.push_back(*codec.ToJson(r.bytes));
    }
  }
  return out;
}

std::string Harness::RejectionOf(const std::string& command_id) const {
  for (const auto& json : RecordsOfType("CommandRejected")) {
    if (json.find("\"causation_id\": \"" + command_id + "\"") != std::string::npos) return json;
  }
  return "";
}

void LoadTestCity(Harness& h) {
  h.PublishFile("workflows/reference/calendars.jsonl");
  h.PublishFile("workflows/reference/departments.jsonl");
  h.PublishFile("workflows/reference/hazard_routing.jsonl");
  h.Publish(
      R"({"source": "admin","body_type": "RoutingTableUpdated","body": {"table_name": "oversight_routing",)"
      R"("version": 1,"rows": [{"match": [{"key": "district","value": "liuhe"}],"lead": "nj.liuhe.jw"}],)"
      R"("fallback": "nj.jw"}})");
  h.Deploy("oversight_case", "engine/tests/workflows/oversight_case.wf");
  h.Deploy("hazard_disposal", "engine/tests/workflows/hazard_disposal.wf");
}

}  // namespace closeloop::engine::testing
