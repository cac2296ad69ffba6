#include "engine/ticket.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace closeloop::engine {

using nlohmann::json;

std::string ValueToLiteral(const dsl::Value& v) {
  if (v.type() == dsl::ValueType::kString) return json(v.as_string()).dump();
  if (v.type() == dsl::ValueType::kDuration) return json(v.ToString()).dump();  // kept as text
  return v.ToString();
}

dsl::Value ValueFromLiteral(std::string_view text) {
  if (text.empty() || text == "null") return dsl::Value::Null();
  if (text == "true") return dsl::Value::Bool(true);
  if (text == "false") return dsl::Value::Bool(false);
  if (text.front() == '"') {
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    return j.is_string() ? dsl::Value::String(j.get<std::string>()) : dsl::Value::Null();
  }
  int64_t i = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (ec == std::errc() && p == text.data() + text.size()) return dsl::Value::Int(i);
  double d = 0;
  auto [p2, ec2] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec2 == std::errc() && p2 == text.data() + text.size()) return dsl::Value::Double(d);
  return dsl::Value::String(std::string(text));
}

std::string Ticket::Encode() const {
  json facts_json = json::object();
  for (const auto& [k, v] : facts) facts_json[k] = ValueToLiteral(v);
  json j = {{"id", id},
            {"wf", workflow},
            {"wfv", workflow_version},
            {"loop", loop},
            {"st", state},
            {"title", title},
            {"what", what},
            {"where", where},
            {"subj", subject},
            {"jur", jurisdiction},
            {"cat", category},
            {"sev", severity},
            {"lead", lead},
            {"assist", assist},
            {"rt", routing_table},
            {"rtv", routing_version},
            {"parent", parent_id},
            {"chain", chain_id},
            {"children", children},
            {"trig", trigger},
            {"dedup", dedup_key},
            {"v", version},
            {"opened", opened_at},
            {"entered", state_entered_at},
            {"deadline", deadline_at},
            {"lfrom", limit_from},
            {"cleft", clock_left},
            {"due", next_due},
            {"closed", closed},
            {"closed_at", closed_at},
            {"outcome", outcome},
            {"res", resolution},
            {"returns", returns},
            {"reopens", reopens},
            {"ext", extensions},
            {"odc", overdue_count},
            {"od", overdue},
            {"esc", escalated_to},
            {"pext", pending_extension_days},
            {"lastret", last_returned_by},
            {"facts", facts_json},
            {"fired", fired},
            {"once", fired_once},
            {"chained", chained_by},
            {"hist", history_length},
            {"case", case_length}};
  std::vector<uint8_t> bytes = json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

Result<Ticket> Ticket::Decode(std::string_view bytes) {
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

std::string Ticket::ToJson() const {
  json facts_json = json::object();
  for (const auto& [k, v] : facts) {
    switch (v.type()) {
      case dsl::ValueType::kBool:
        facts_json[k] = v.as_bool();
        break;
      case dsl::ValueType::kInt:
        facts_json[k] = v.as_int();
        break;
      case dsl::ValueType::kDouble:
        facts_json[k] = v.as_double();
        break;
      case dsl::ValueType::kString:
        facts_json[k] = v.as_string();
        break;
      case dsl::ValueType::kNull:
        facts_json[k] = nullptr;
        break;
      case dsl::ValueType::kDuration:
        facts_json[k] = v.ToString();
        break;
    }
  }
  json j = {{"id", id},
            {"workflow", workflow},
            {"workflow_version", workflow_version},
            {"loop", loop},
            {"state", state},
            {"title", title},
            {"what", what},
            {"where", where},
            {"subject", subject},
            {"jurisdiction", jurisdiction},
            {"category", category},
            {"severity", severity},
            {"lead", lead},
            {"assist", assist},
            {"parent_id", parent_id},
            {"chain_id", chain_id},
            {"children", children},
            {"trigger", trigger},
            {"version", version},
            {"opened_at", opened_at},
            {"state_entered_at", state_entered_at},
            {"deadline_at", deadline_at},
            {"next_due", next_due},
            {"closed", closed},
            {"closed_at", closed_at},
            {"outcome", outcome},
            {"resolution", resolution},
            {"returns", returns},
            {"reopens", reopens},
            {"extensions", extensions},
            {"overdue_count", overdue_count},
            {"overdue", overdue},
            {"escalated_to", escalated_to},
            {"pending_extension_days", pending_extension_days},
            {"facts", facts_json},
            {"history_length", history_length},
            {"case_length", case_length}};
  return j.dump();
}

dsl::Value Ticket::Fact(std::string_view name) const {
  using V = dsl::Value;
  if (name == "category") return V::String(category);
  if (name == "severity") return V::String(severity);
  if (name == "jurisdiction") return V::String(jurisdiction);
  if (name == "subject") return V::String(subject);
  if (name == "returns") return V::Int(returns);
  if (name == "reopens") return V::Int(reopens);
  if (name == "extensions") return V::Int(extensions);
  if (name == "overdue_count") return V::Int(overdue_count);
  if (name == "state") return V::String(state);
  if (name == "lead") return V::String(lead);
  if (name == "version") return V::Int(version);
  if (name == "id") return V::String(id);
  if (name == "parent_id") return V::String(parent_id);
  if (name == "opened_at") return V::Int(opened_at);
  auto it = facts.find(std::string(name));
  return it == facts.end() ? V::Null() : it->second;
}

}  // namespace closeloop::engine
