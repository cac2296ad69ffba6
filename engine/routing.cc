#include "engine/routing.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/world.h"

namespace closeloop::engine {

const Department* DepartmentOfKind(const ReferenceData& ref, std::string_view kind,
                                   std::string_view district) {
  const Department* city = nullptr;
  for (const auto& [id, d] : ref.departments()) {
    if (d.kind != kind) continue;
    if (!district.empty() && d.level == DepartmentLevel::kDistrict && d.district == district) {
      return &d;
    }
    if (city == nullptr && d.level == DepartmentLevel::kCity) city = &d;
  }
  return city;
}

std::string FallbackLead(const ReferenceData& ref, const dsl::Routing* routing) {
  if (routing == nullptr) return "";
  if (!routing->fallback_is_kind) return routing->fallback;
  const Department* d = DepartmentOfKind(ref, routing->fallback, "");
  return d != nullptr && d->level == DepartmentLevel::kCity ? d->id : "";
}

std::string SafetyOfficeOrFallback(const ReferenceData& ref, const dsl::Workflow& wf,
                                   std::string_view jurisdiction) {
  const Department* office = ref.SafetyOffice(jurisdiction.substr(0, jurisdiction.find('.')));
  return office ? office->id : FallbackLead(ref, wf.routing ? &*wf.routing : nullptr);
}

Status CheckFallbackKind(const dsl::Workflow& wf, const ReferenceData& ref) {
  if (!wf.routing || !wf.routing->fallback_is_kind) return Status::Ok();
  if (!FallbackLead(ref, &*wf.routing).empty()) return Status::Ok();
  return FailedPrecondition("workflow " + wf.name + " v" + std::to_string(wf.version) +
                            " falls back to the city-level department of kind '" +
                            wf.routing->fallback + "', and the departments have none");
}

RouteResult RouteTicket(const World& world, const dsl::Workflow& wf, const dsl::Env& env,
                        std::string_view jurisdiction) {
  const dsl::Routing& routing = *wf.routing;
  if (!routing.kind.empty()) {
    const std::string_view district = jurisdiction.substr(0, jurisdiction.find('.'));
    const Department* d = DepartmentOfKind(world.reference(), routing.kind, district);
    if (d == nullptr)
      return {FallbackLead(world.reference(), &routing),
              {},
              "fallback: no department of kind " + routing.kind};
    return {d->id,
            {},
            "kind " + routing.kind + (d->district.empty() ? " (city)" : " of " + d->district)};
  }
  RouteKeys values;
  for (const auto& key : routing.keys) {
    dsl::Value v = dsl::Evaluate(key.value, env);
    std::string s = v.type() == dsl::ValueType::kString ? v.as_string()
                    : v.is_null()                       ? std::string()
                                                        : v.ToString();
    if (key.column == "district") s = s.substr(0, s.find('.'));  // "xuanwu.meiyuan.g03"
    values[key.column] = std::move(s);
  }
  const RoutingTable* table = world.reference().Routing(routing.table);
  if (table == nullptr)
    return {FallbackLead(world.reference(), &routing),
            {},
            "fallback: no routing table " + routing.table};
  RouteResult r = table->Route(values);
  // No row matched: the workflow's own fallback is more specific than the table's.
  if (r.rule == "fallback") return {FallbackLead(world.reference(), &routing), {}, "fallback"};
  r.rule += " (version " + std::to_string(table->version()) + ")";
  return r;
}

Status CheckRoutingColumns(const dsl::Workflow& wf, const RoutingTable& table) {
  if (!wf.routing || wf.routing->table != table.name()) return Status::Ok();
  std::string given;
  for (const auto& key : wf.routing->keys) given += (given.empty() ? "" : ", ") + key.column;
  for (const std::string& column : table.columns()) {
    bool found = std::any_of(wf.routing->keys.begin(), wf.routing->keys.end(),
                             [&](const dsl::RouteKey& k) { return k.column == column; });
    if (!found) {
      return FailedPrecondition("routing table " + table.name() + " v" +
                                std::to_string(table.version()) + " matches on '" + column +
                                "', which workflow " + wf.name + " v" + std::to_string(wf.version) +
                                " does not give (it routes by " + given +
                                "): its tickets would never match those rows");
    }
  }
  return Status::Ok();
}

// ---- RoutingTable: a routing table record, validated, and the row that matches ----

std::string_view RoutingRow::Value(std::string_view column) const {
  for (const auto& [k, v] : match) {
    if (k == column) return v;
  }
  return {};
}

Result<RoutingTable> RoutingTable::FromRecord(const fb::RoutingTableUpdated& u) {
  RoutingTable t;
  t.name_ = u.table_name() ? u.table_name()->str() : "";
  t.version_ = u.version();
  t.fallback_ = u.fallback() ? u.fallback()->str() : "";
  std::string where = t.name_ + " v" + std::to_string(t.version_);
  if (t.name_.empty()) return InvalidArgument("table_name: required");
  if (t.version_ == 0) return InvalidArgument(where + ": version: must be at least 1");
  if (t.fallback_.empty()) return InvalidArgument(where + ": fallback: required");
  std::map<std::vector<std::pair<std::string, std::string>>, size_t> seen;
  std::set<std::string> columns;
  for (flatbuffers::uoffset_t i = 0; u.rows() && i < u.rows()->size(); ++i) {
    const fb::RoutingRow* row = u.rows()->Get(i);
    std::string at = where + ": rows[" + std::to_string(i) + "]";
    RoutingRow r;
    r.lead = row->lead() ? row->lead()->str() : "";
    if (r.lead.empty()) return InvalidArgument(at + ".lead: required");
    size_t keys = row->match() ? row->match()->size() : 0;
    if (keys == 0) return InvalidArgument(at + ".match: at least one key (use fallback for all)");
    for (flatbuffers::uoffset_t k = 0; k < keys; ++k) {
      const fb::Attr* attr = row->match()->Get(k);
      std::string key = attr->key() ? attr->key()->str() : "";
      std::string value = attr->value() ? attr->value()->str() : "";
      std::string mat = at + ".match[" + std::to_string(k) + "]";
      if (key.empty()) return InvalidArgument(mat + ".key: required");
      if (!r.Value(key).empty()) return InvalidArgument(mat + ".key: '" + key + "' given twice");
      if (value.empty()) return InvalidArgument(mat + ".value: required");
      r.match.emplace_back(key, value);
      columns.insert(key);
    }
    for (flatbuffers::uoffset_t k = 0; row->assist() && k < row->assist()->size(); ++k) {
      std::string a = row->assist()->Get(k)->str();
      if (a.empty() || a == r.lead ||
          std::find(r.assist.begin(), r.assist.end(), a) != r.assist.end()) {
        return InvalidArgument(at + ".assist[" + std::to_string(k) +
                               "]: empty, the lead, or repeated");
      }
      r.assist.push_back(a);
    }
    std::sort(r.match.begin(), r.match.end());  // one rule text, whatever the encoder's order
    auto [it, fresh] = seen.emplace(r.match, i);
    if (!fresh) {
      return InvalidArgument(at + ".match: same keys as rows[" + std::to_string(it->second) + "]");
    }
    r.rule = "rows[" + std::to_string(i) + "]:";
    for (const auto& [k, v] : r.match) r.rule += " " + k + "=" + v;
    t.rows_.push_back(std::move(r));
  }
  t.columns_.assign(columns.begin(), columns.end());
  return t;
}

RouteResult RoutingTable::Route(const RouteKeys& values) const {
  const RoutingRow* best = nullptr;
  size_t best_keys = 0;
  for (const RoutingRow& r : rows_) {
    bool fits = true;
    for (const auto& [k, v] : r.match) {
      auto it = values.find(k);
      if (it == values.end() || it->second != v) {
        fits = false;
        break;
      }
    }
    if (fits && r.match.size() > best_keys) best = &r, best_keys = r.match.size();
  }
  if (best == nullptr) return {fallback_, {}, "fallback"};
  return {best->lead, best->assist, best->rule};
}

}  // namespace closeloop::engine
