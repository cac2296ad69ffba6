// RoutingTable (engine/reference_data.h): a RoutingTableUpdated record validated into rows,
// and the row that matches a ticket's key values. The data half of routing, apart from
// engine/routing.cc's decisions (which need the World and the workflows), so the reference
// data's parser fuzz target links it alone.
#include <algorithm>
#include <map>
#include <set>

#include "engine/reference_data.h"

namespace closeloop::engine {

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
