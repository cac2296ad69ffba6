#include "engine/ticket_legacy.h"

#include <nlohmann/json.hpp>

namespace closeloop::engine {

using nlohmann::json;

std::string EncodeMessagePack(const Ticket& t) {
  json facts_json = json::object();
  for (const auto& [k, v] : t.facts) facts_json[k] = ValueToLiteral(v);
  json j = {{"id", t.id},
            {"wf", t.workflow},
            {"wfv", t.workflow_version},
            {"loop", t.loop},
            {"st", t.state},
            {"title", t.title},
            {"what", t.what},
            {"where", t.where},
            {"subj", t.subject},
            {"jur", t.jurisdiction},
            {"cat", t.category},
            {"sev", t.severity},
            {"lead", t.lead},
            {"assist", t.assist},
            {"rt", t.routing_table},
            {"rtv", t.routing_version},
            {"parent", t.parent_id},
            {"chain", t.chain_id},
            {"children", t.children},
            {"trig", t.trigger},
            {"dedup", t.dedup_key},
            {"v", t.version},
            {"opened", t.opened_at},
            {"entered", t.state_entered_at},
            {"deadline", t.deadline_at},
            {"lfrom", t.limit_from},
            {"cleft", t.clock_left},
            {"due", t.next_due},
            {"closed", t.closed},
            {"closed_at", t.closed_at},
            {"outcome", t.outcome},
            {"res", t.resolution},
            {"returns", t.returns},
            {"reopens", t.reopens},
            {"ext", t.extensions},
            {"odc", t.overdue_count},
            {"od", t.overdue},
            {"esc", t.escalated_to},
            {"pext", t.pending_extension_days},
            {"lastret", t.last_returned_by},
            {"facts", facts_json},
            {"fired", t.fired},
            {"once", t.fired_once},
            {"chained", t.chained_by},
            {"hist", t.history_length},
            {"case", t.case_length}};
  std::vector<uint8_t> bytes = json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

Result<Ticket> DecodeMessagePack(std::string_view bytes) {
  json j = json::from_msgpack(bytes.begin(), bytes.end(), /*strict=*/true,
                              /*allow_exceptions=*/false);
  if (!j.is_object()) return Corruption("ticket state is not a MessagePack map");
  try {
    Ticket t;
    t.id = j.at("id");
    t.workflow = j.at("wf");
    t.workflow_version = j.at("wfv");
    t.loop = j.at("loop");
    t.state = j.at("st");
    t.title = j.at("title");
    if (j.contains("what")) t.what = j.at("what");
    if (j.contains("where")) t.where = j.at("where");
    t.subject = j.at("subj");
    t.jurisdiction = j.at("jur");
    t.category = j.at("cat");
    t.severity = j.at("sev");
    t.lead = j.at("lead");
    t.assist = j.at("assist").get<std::vector<std::string>>();
    t.routing_table = j.at("rt");
    t.routing_version = j.at("rtv");
    t.parent_id = j.at("parent");
    t.chain_id = j.at("chain");
    t.children = j.at("children").get<std::vector<std::string>>();
    t.trigger = j.at("trig");
    t.dedup_key = j.at("dedup");
    t.version = j.at("v");
    t.opened_at = j.at("opened");
    t.state_entered_at = j.at("entered");
    t.deadline_at = j.at("deadline");
    // Absent in states written before workflow clocks.
    t.limit_from = j.contains("lfrom") ? j.at("lfrom").get<int64_t>() : t.state_entered_at;
    if (j.contains("cleft")) t.clock_left = j.at("cleft");
    t.next_due = j.at("due");
    t.closed = j.at("closed");
    t.closed_at = j.at("closed_at");
    t.outcome = j.at("outcome");
    t.resolution = j.at("res");
    t.returns = j.at("returns");
    t.reopens = j.at("reopens");
    t.extensions = j.at("ext");
    t.overdue_count = j.at("odc");
    t.overdue = j.at("od");
    t.escalated_to = j.at("esc");
    t.pending_extension_days = j.at("pext");
    t.last_returned_by = j.at("lastret");
    for (const auto& [k, v] : j.at("facts").items())
      t.facts[k] = ValueFromLiteral(v.get<std::string>());
    t.fired = j.at("fired").get<std::set<std::string>>();
    t.fired_once = j.at("once").get<std::set<std::string>>();
    // Absent in states written before chained tickets were counted per step.
    if (j.contains("chained")) t.chained_by = j.at("chained").get<std::set<std::string>>();
    t.history_length = j.at("hist");
    if (j.contains("case")) t.case_length = j.at("case");
    return t;
  } catch (const json::exception& e) {
    return Corruption(std::string("ticket state: ") + e.what());
  }
}

}  // namespace closeloop::engine
