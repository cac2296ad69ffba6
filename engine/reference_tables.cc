#include "engine/reference_tables.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/json_check.h"
#include "base/time_text.h"

namespace closeloop::engine {
namespace {

using json = nlohmann::json;

// Reads fields of a JSON document with their paths, keeping the first error. After an
// error every accessor still returns a harmless default, so parsers read on without
// checking after each field and test ok() once.
class Reader {
 public:
  enum Need { kNonEmpty, kMayBeEmpty, kOptional };  // kOptional: may be absent or empty

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  void Fail(const std::string& path, std::string_view message) {
    if (ok()) error_ = path + ": " + std::string(message);
  }

  // `o` must be an object holding no keys but `keys` (a typo is an error, not ignored).
  bool Object(const json& o, const std::string& p, std::initializer_list<std::string_view> keys) {
    if (!o.is_object()) {
      Fail(p, "must be an object");
      return false;
    }
    for (const auto& [k, v] : o.items()) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) Fail(p + "." + k, "unknown field");
    }
    return ok();
  }
  const json* Field(const json& o, const std::string& p, const char* key, bool required) {
    auto it = o.is_object() ? o.find(key) : o.end();
    if (it == o.end() || it->is_null()) {
      if (required) Fail(p + "." + key, "required");
      return nullptr;
    }
    return &*it;
  }
  std::string Str(const json& o, const std::string& p, const char* key, Need need = kNonEmpty) {
    const json* v = Field(o, p, key, need != kOptional);
    return v ? Text(*v, p + "." + key, need) : "";
  }
  std::string Text(const json& v, const std::string& path, Need need = kNonEmpty) {
    if (!v.is_string()) {
      Fail(path, "must be a string");
      return "";
    }
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() && need == kNonEmpty) Fail(path, "must not be empty");
    if (s.size() > 4096) Fail(path, "longer than 4096 bytes");
    for (unsigned char c : s) {
      if (c < 0x20 || c == 0x7f) {
        Fail(path, "contains a control character");
        break;
      }
    }
    return s;
  }
  std::vector<std::string> Strs(const json& o, const std::string& p, const char* key) {
    std::vector<std::string> out;
    const json& a = Array(o, p, key);
    for (size_t i = 0; i < a.size(); ++i) {
      out.push_back(Text(a[i], p + "." + key + "[" + std::to_string(i) + "]"));
    }
    return out;
  }
  const json& Array(const json& o, const std::string& p, const char* key) {
    static const json kEmpty = json::array();
    const json* v = Field(o, p, key, true);
    if (v != nullptr && !v->is_array()) Fail(p + "." + key, "must be an array");
    return v != nullptr && v->is_array() ? *v : kEmpty;
  }
  int64_t Int(const json& o, const std::string& p, const char* key, int64_t lo, int64_t hi,
              std::optional<int64_t> absent = std::nullopt) {
    const json* v = Field(o, p, key, !absent.has_value());
    if (v == nullptr) return absent.value_or(lo);
    if (!v->is_number_integer()) {
      Fail(p + "." + key, "must be an integer");
      return lo;
    }
    auto n = v->get<int64_t>();
    if (n < lo || n > hi) Fail(p + "." + key, OutOfRange(lo, hi));
    return n;
  }
  std::optional<double> Num(const json& o, const std::string& p, const char* key, bool required,
                            double lo = -1e12, double hi = 1e12) {
    const json* v = Field(o, p, key, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number()) {
      Fail(p + "." + key, "must be a number");
      return 0.0;
    }
    auto n = v->get<double>();
    if (!(n >= lo && n <= hi)) Fail(p + "." + key, OutOfRange(lo, hi));
    return n;
  }
  bool Bool(const json& o, const std::string& p, const char* key) {
    const json* v = Field(o, p, key, true);
    if (v != nullptr && !v->is_boolean()) Fail(p + "." + key, "must be true or false");
    return v != nullptr && v->is_boolean() && v->get<bool>();
  }
  // An optional array of strings: absent is empty.
  std::vector<std::string> OptStrs(const json& o, const std::string& p, const char* key) {
    return Field(o, p, key, false) ? Strs(o, p, key) : std::vector<std::string>{};
  }
  // An optional object of non-empty names to integers in [lo, hi] (road distances, plan
  // quantities): absent is empty.
  std::map<std::string, int64_t, std::less<>> Counts(const json& o, const std::string& p,
                                                     const char* key, int64_t lo, int64_t hi) {
    std::map<std::string, int64_t, std::less<>> out;
    const json* v = Field(o, p, key, false);
    if (v == nullptr) return out;
    if (!v->is_object()) {
      Fail(p + "." + key, "must be an object of names to integers");
      return out;
    }
    for (const auto& [k, n] : v->items()) {
      std::string q = p + "." + key + "." + k;
      if (k.empty()) Fail(p + "." + key, "a name must not be empty");
      if (!n.is_number_integer()) {
        Fail(q, "must be an integer");
        continue;
      }
      auto x = n.get<int64_t>();
      if (x < lo || x > hi) Fail(q, OutOfRange(static_cast<double>(lo), static_cast<double>(hi)));
      out[k] = x;
    }
    return out;
  }
  // An ISO 8601 time ("2026-03-02T00:00:00+08:00"; without an offset, Asia/Shanghai).
  int64_t Time(const json& o, const std::string& p, const char* key) {
    std::string text = Str(o, p, key);
    if (!ok()) return 0;
    auto t = ParseTime(text);
    if (!t.ok()) {
      Fail(p + "." + key, "not an ISO 8601 time: " + t.status().message());
      return 0;
    }
    return *t;
  }
  GeoPoint Geo(const json& o, const std::string& p, const char* key) {
    const json* v = Field(o, p, key, true);
    std::string q = p + "." + key;
    if (v == nullptr || !Object(*v, q, {"lat", "lon"})) return {};
    return {*Num(*v, q, "lat", true, -90, 90), *Num(*v, q, "lon", true, -180, 180)};
  }
  template <typename E>
  E Pick(const json& o, const std::string& p, const char* key,
         const std::vector<std::pair<std::string, E>>& names) {
    const json* v = Field(o, p, key, true);
    return v ? PickValue(*v, p + "." + key, names) : names.front().second;
  }
  template <typename E>
  E PickValue(const json& v, const std::string& path,
              const std::vector<std::pair<std::string, E>>& names) {
    std::string s = Text(v, path);
    for (const auto& [name, value] : names) {
      if (name == s) return value;
    }
    std::string all;
    for (const auto& n : names) all += (all.empty() ? "" : ", ") + n.first;
    if (ok()) Fail(path, "'" + s + "' is not one of " + all);
    return names.front().second;
  }

 private:
  static std::string OutOfRange(double lo, double hi) {
    auto fmt = [](double d) {
      std::string s = std::to_string(d);
      s.erase(s.find_last_not_of('0') + 1);
      if (s.back() == '.') s.pop_back();
      return s;
    };
    return "must be in [" + fmt(lo) + ", " + fmt(hi) + "]";
  }
  std::string error_;
};

// The names of a FlatBuffers enum, for Pick (from the generated reflection tables).
template <typename E, size_t N>
std::vector<std::pair<std::string, E>> EnumNames(const E (&values)[N], const char* (*name)(E),
                                                 E skip) {
  std::vector<std::pair<std::string, E>> out;
  for (E v : values) {
    if (v != skip) out.emplace_back(name(v), v);
  }
  return out;
}

std::string Index(const std::string& p, const char* key, size_t i) {
  return p + "." + key + "[" + std::to_string(i) + "]";
}

void Parse(Reader& r, const json& o, const std::string& p, Department* d) {
  if (!r.Object(o, p,
                {"id", "name_zh", "name_en", "level", "district", "jurisdiction", "parent", "head",
                 "kind"})) {
    return;
  }
  d->id = r.Str(o, p, "id");
  d->name_zh = r.Str(o, p, "name_zh");
  d->name_en = r.Str(o, p, "name_en");
  d->level = r.Pick<DepartmentLevel>(o, p, "level",
                                     {{"city", DepartmentLevel::kCity},
                                      {"district", DepartmentLevel::kDistrict},
                                      {"street", DepartmentLevel::kStreet}});
  d->district = r.Str(o, p, "district", Reader::kMayBeEmpty);
  d->jurisdiction = r.Str(o, p, "jurisdiction", Reader::kMayBeEmpty);
  d->parent = r.Str(o, p, "parent", Reader::kMayBeEmpty);
  d->head = r.Str(o, p, "head");
  d->kind = r.Str(o, p, "kind");
  if (!r.ok()) return;
  bool city = d->level == DepartmentLevel::kCity;
  if (city != d->district.empty()) {
    r.Fail(p + ".district", city ? "must be \"\" at city level" : "required below city level");
  }
  bool street = d->level == DepartmentLevel::kStreet;
  std::string want = street ? d->district + "." : d->district;
  if (street ? d->jurisdiction.rfind(want, 0) != 0 || d->jurisdiction.size() == want.size()
             : d->jurisdiction != want) {
    r.Fail(p + ".jurisdiction", street ? "must be the street's code under its district"
                                       : "must equal district at city and district level");
  }
  if (!city && d->parent.empty()) r.Fail(p + ".parent", "required below city level");
}

void Parse(Reader& r, const json& o, const std::string& p, Jurisdiction* j) {
  if (!r.Object(o, p, {"code", "name_zh", "name_en", "level", "parent", "kind", "location"})) {
    return;
  }
  j->code = r.Str(o, p, "code");
  j->name_zh = r.Str(o, p, "name_zh");
  j->name_en = r.Str(o, p, "name_en");
  j->level = r.Pick<JurisdictionLevel>(o, p, "level",
                                       {{"district", JurisdictionLevel::kDistrict},
                                        {"street", JurisdictionLevel::kStreet},
                                        {"grid", JurisdictionLevel::kGrid}});
  j->parent = r.Str(o, p, "parent", Reader::kMayBeEmpty);
  j->kind = r.Str(o, p, "kind");
  j->location = r.Geo(o, p, "location");
  if (!r.ok()) return;
  // The code is the parent's code plus one segment of [a-z0-9_]: a dot path.
  std::string prefix = j->parent.empty() ? "" : j->parent + ".";
  std::string_view last = std::string_view(j->code).substr(std::min(prefix.size(), j->code.size()));
  bool segment_ok = !last.empty() && std::all_of(last.begin(), last.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (j->code.rfind(prefix, 0) != 0 || !segment_ok) {
    r.Fail(p + ".code", "must be the parent's code and one segment of [a-z0-9_]");
  }
  if ((j->level == JurisdictionLevel::kDistrict) != j->parent.empty()) {
    r.Fail(p + ".parent", "a district has no parent; streets and grids have one");
  }
}

void Parse(Reader& r, const json& o, const std::string& p, HazardClass* h) {
  if (!r.Object(o, p, {"id", "name_zh", "name_en", "description", "lead_kind"})) return;
  h->id = r.Str(o, p, "id");
  h->name_zh = r.Str(o, p, "name_zh");
  h->name_en = r.Str(o, p, "name_en");
  h->description = r.Str(o, p, "description", Reader::kOptional);
  h->lead_kind = r.Str(o, p, "lead_kind");
}

void Parse(Reader& r, const json& o, const std::string& p, Sensor* s) {
  if (!r.Object(
          o, p,
          {"id", "measure", "unit", "position_zh", "low_alarm", "warning", "alarm", "critical"})) {
    return;
  }
  static const auto kMeasures =
      EnumNames(fb::EnumValuesMeasure(), fb::EnumNameMeasure, fb::Measure::other);
  s->id = r.Str(o, p, "id");
  s->measure = r.Pick(o, p, "measure", kMeasures);
  s->unit = r.Str(o, p, "unit");
  s->position_zh = r.Str(o, p, "position_zh", Reader::kOptional);
  s->low_alarm = r.Num(o, p, "low_alarm", false);
  s->warning = r.Num(o, p, "warning", true).value_or(0);
  s->alarm = r.Num(o, p, "alarm", true).value_or(0);
  s->critical = r.Num(o, p, "critical", true).value_or(0);
  if (r.ok() && !(s->warning < s->alarm && s->alarm < s->critical)) {
    r.Fail(p + ".alarm", "thresholds must rise: warning < alarm < critical");
  }
  if (r.ok() && s->low_alarm && !(*s->low_alarm < s->warning)) {
    r.Fail(p + ".low_alarm", "must be below warning");
  }
}

void Parse(Reader& r, const json& o, const std::string& p, RiskSource* rs) {
  if (!r.Object(o, p, {"id", "name_zh", "name_en", "kind", "grade", "chemicals", "sensors"})) {
    return;
  }
  rs->id = r.Str(o, p, "id");
  rs->name_zh = r.Str(o, p, "name_zh");
  rs->name_en = r.Str(o, p, "name_en");
  rs->kind = r.Str(o, p, "kind");
  rs->grade = static_cast<int>(r.Int(o, p, "grade", 1, 4));
  rs->chemicals = r.Strs(o, p, "chemicals");
  const json& sensors = r.Array(o, p, "sensors");
  for (size_t i = 0; i < sensors.size() && r.ok(); ++i) {
    Parse(r, sensors[i], Index(p, "sensors", i), &rs->sensors.emplace_back());
  }
}

void Parse(Reader& r, const json& o, const std::string& p, Enterprise* e) {
  if (!r.Object(o, p,
                {"id", "name_zh", "name_en", "district", "jurisdiction", "industry", "scale",
                 "risk_colour", "key_enterprise", "safety_officers", "location", "hazard_classes",
                 "park", "risk_sources"})) {
    return;
  }
  e->id = r.Str(o, p, "id");
  e->name_zh = r.Str(o, p, "name_zh");
  e->name_en = r.Str(o, p, "name_en");
  e->district = r.Str(o, p, "district");
  e->jurisdiction = r.Str(o, p, "jurisdiction");
  e->industry = r.Str(o, p, "industry");
  e->scale = r.Pick<std::string>(
      o, p, "scale",
      {{"large", "large"}, {"medium", "medium"}, {"small", "small"}, {"micro", "micro"}});
  e->risk_colour = r.Pick<RiskColour>(o, p, "risk_colour",
                                      {{"red", RiskColour::kRed},
                                       {"orange", RiskColour::kOrange},
                                       {"yellow", RiskColour::kYellow},
                                       {"blue", RiskColour::kBlue}});
  e->key_enterprise = r.Bool(o, p, "key_enterprise");
  e->safety_officers = static_cast<int>(r.Int(o, p, "safety_officers", 0, 100000));
  e->location = r.Geo(o, p, "location");
  e->hazard_classes = r.Strs(o, p, "hazard_classes");
  e->park = r.Str(o, p, "park", Reader::kOptional);
  const json& sources = r.Array(o, p, "risk_sources");
  for (size_t i = 0; i < sources.size() && r.ok(); ++i) {
    Parse(r, sources[i], Index(p, "risk_sources", i), &e->risk_sources.emplace_back());
  }
  if (r.ok() && e->jurisdiction.rfind(e->district + ".", 0) != 0) {
    r.Fail(p + ".jurisdiction", "must lie in the enterprise's district (" + e->district + ".*)");
  }
}

// Road distances are at most 2,000 km: a city's roads, not a continent's.
constexpr int64_t kMaxRoadMetres = 2'000'000;

void Parse(Reader& r, const json& o, const std::string& p, RescueTeam* t) {
  if (!r.Object(o, p,
                {"id", "name_zh", "name_en", "type", "capabilities", "district", "location",
                 "members", "department", "equipment", "road_metres"})) {
    return;
  }
  t->id = r.Str(o, p, "id");
  t->name_zh = r.Str(o, p, "name_zh");
  t->name_en = r.Str(o, p, "name_en");
  t->type = r.Str(o, p, "type");
  t->capabilities = r.Strs(o, p, "capabilities");
  t->district = r.Str(o, p, "district");
  t->location = r.Geo(o, p, "location");
  t->members = static_cast<int>(r.Int(o, p, "members", 1, 100000));
  t->department = r.Str(o, p, "department", Reader::kMayBeEmpty);
  t->equipment = r.Strs(o, p, "equipment");
  t->road_metres = r.Counts(o, p, "road_metres", 0, kMaxRoadMetres);
}

void Parse(Reader& r, const json& o, const std::string& p, MaterialDepot* d) {
  if (!r.Object(
          o, p,
          {"id", "name_zh", "name_en", "level", "district", "location", "department", "items",
           "road_metres"})) {
    return;
  }
  d->id = r.Str(o, p, "id");
  d->name_zh = r.Str(o, p, "name_zh");
  d->name_en = r.Str(o, p, "name_en");
  d->level = r.Pick<std::string>(o, p, "level", {{"city", "city"}, {"district", "district"}});
  d->district = r.Str(o, p, "district");
  d->location = r.Geo(o, p, "location");
  d->department = r.Str(o, p, "department");
  const json& items = r.Array(o, p, "items");
  for (size_t i = 0; i < items.size() && r.ok(); ++i) {
    std::string q = Index(p, "items", i);
    if (!r.Object(items[i], q, {"item", "name_zh", "unit", "quantity"})) break;
    MaterialItem& m = d->items.emplace_back();
    m.item = r.Str(items[i], q, "item");
    m.name_zh = r.Str(items[i], q, "name_zh");
    m.unit = r.Str(items[i], q, "unit");
    m.quantity = r.Int(items[i], q, "quantity", 0, int64_t{1} << 40);
    for (size_t j = 0; j + 1 < d->items.size() && r.ok(); ++j) {
      if (d->items[j].item == m.item) r.Fail(q + ".item", "'" + m.item + "' is listed twice");
    }
  }
  d->road_metres = r.Counts(o, p, "road_metres", 0, kMaxRoadMetres);
}

void Parse(Reader& r, const json& o, const std::string& p, Expert* e) {
  if (!r.Object(o, p,
                {"id", "name_zh", "name_en", "specialities", "qualification_zh", "qualification_en",
                 "employer", "employer_en", "district", "location", "employer_enterprise",
                 "conflicts", "unavailable", "resident_at"})) {
    return;
  }
  e->id = r.Str(o, p, "id");
  e->name_zh = r.Str(o, p, "name_zh");
  e->name_en = r.Str(o, p, "name_en");
  e->specialities = r.Strs(o, p, "specialities");
  std::sort(e->specialities.begin(), e->specialities.end());
  if (r.ok() && e->specialities.empty()) r.Fail(p + ".specialities", "must not be empty");
  e->qualification_zh = r.Str(o, p, "qualification_zh");
  e->qualification_en = r.Str(o, p, "qualification_en");
  e->employer = r.Str(o, p, "employer");
  e->employer_en = r.Str(o, p, "employer_en");
  e->district = r.Str(o, p, "district");
  e->location = r.Geo(o, p, "location");
  e->employer_enterprise = r.Str(o, p, "employer_enterprise", Reader::kOptional);
  e->conflicts = r.OptStrs(o, p, "conflicts");
  std::sort(e->conflicts.begin(), e->conflicts.end());
  e->resident_at = r.OptStrs(o, p, "resident_at");
  std::sort(e->resident_at.begin(), e->resident_at.end());
  if (r.Field(o, p, "unavailable", false)) {
    const json& periods = r.Array(o, p, "unavailable");
    for (size_t i = 0; i < periods.size() && r.ok(); ++i) {
      std::string q = Index(p, "unavailable", i);
      if (!r.Object(periods[i], q, {"from", "to", "kind", "note"})) break;
      ExpertAbsence& a = e->unavailable.emplace_back();
      a.from_ms = r.Time(periods[i], q, "from");
      a.to_ms = r.Time(periods[i], q, "to");
      a.kind = r.Pick<std::string>(periods[i], q, "kind",
                                   {{"leave", "leave"}, {"off_duty", "off_duty"}});
      a.note = r.Str(periods[i], q, "note", Reader::kOptional);
      if (r.ok() && a.to_ms <= a.from_ms) r.Fail(q + ".to", "must be after from");
    }
    std::sort(e->unavailable.begin(), e->unavailable.end(),
              [](const ExpertAbsence& a, const ExpertAbsence& b) { return a.from_ms < b.from_ms; });
    for (size_t i = 1; i < e->unavailable.size() && r.ok(); ++i) {
      if (e->unavailable[i].from_ms < e->unavailable[i - 1].to_ms) {
        r.Fail(p + ".unavailable", "periods overlap");
      }
    }
  }
}

void Parse(Reader& r, const json& o, const std::string& p, Plan* pl) {
  if (!r.Object(o, p,
                {"id", "name_zh", "name_en", "tier", "district", "incident_types", "levels",
                 "lead_department", "member_departments", "team_types", "materials",
                 "expert_specialities", "expert_count", "material_quantities"})) {
    return;
  }
  static const auto kLevels = EnumNames(fb::EnumValuesIncidentLevel(), fb::EnumNameIncidentLevel,
                                        fb::IncidentLevel::unknown);
  pl->id = r.Str(o, p, "id");
  pl->name_zh = r.Str(o, p, "name_zh");
  pl->name_en = r.Str(o, p, "name_en");
  pl->tier = r.Pick<std::string>(o, p, "tier",
                                 {{"city_overall", "city_overall"},
                                  {"city_special", "city_special"},
                                  {"district_special", "district_special"}});
  pl->district = r.Str(o, p, "district", Reader::kMayBeEmpty);
  pl->incident_types = r.Strs(o, p, "incident_types");
  const json& levels = r.Array(o, p, "levels");
  for (size_t i = 0; i < levels.size() && r.ok(); ++i) {
    pl->levels.push_back(r.PickValue(levels[i], Index(p, "levels", i), kLevels));
  }
  pl->lead_department = r.Str(o, p, "lead_department");
  pl->member_departments = r.Strs(o, p, "member_departments");
  pl->team_types = r.Strs(o, p, "team_types");
  pl->materials = r.Strs(o, p, "materials");
  pl->expert_specialities = r.Strs(o, p, "expert_specialities");
  pl->expert_count = static_cast<int>(r.Int(o, p, "expert_count", 0, 1000));
  pl->material_quantities = r.Counts(o, p, "material_quantities", 1, int64_t{1} << 40);
  if (!r.ok()) return;
  for (const auto& [item, n] : pl->material_quantities) {
    if (std::find(pl->materials.begin(), pl->materials.end(), item) == pl->materials.end()) {
      r.Fail(p + ".material_quantities." + item, "not one of the plan's materials");
      return;
    }
  }
  if ((pl->tier == "district_special") == pl->district.empty()) {
    r.Fail(p + ".district", "required for a district plan, \"\" for a city plan");
  }
  if (pl->incident_types.empty()) r.Fail(p + ".incident_types", "must not be empty");
  if (pl->levels.empty()) r.Fail(p + ".levels", "must not be empty");
}

// Parses a table document {"items": [...], "part": p, "parts": n} and appends its items.
template <typename T>
Result<DocumentPart> ParseDocument(std::string_view content_json, std::vector<T>* out) {
  // Strict JSON within limits first: nlohmann's parser then never fails, and nothing that
  // walks the document recursively meets more than kMaxDocumentDepth levels.
  if (auto bad = CheckJson(content_json, {kMaxDocumentBytes, kMaxDocumentDepth})) {
    return InvalidArgument("content_json: not JSON: " + bad->ToString());
  }
  json doc = json::parse(content_json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgument("content_json: not JSON");
  Reader r;
  const std::string p = "content_json";
  DocumentPart part;
  if (r.Object(doc, p, {"items", "part", "parts"})) {
    part.part = static_cast<int>(r.Int(doc, p, "part", 1, kMaxParts, 1));
    part.parts = static_cast<int>(r.Int(doc, p, "parts", 1, kMaxParts, 1));
    if (r.ok() && part.part > part.parts) r.Fail(p + ".part", "must not exceed parts");
    const json& items = r.Array(doc, p, "items");
    std::vector<T> parsed;
    parsed.reserve(items.size());
    for (size_t i = 0; i < items.size() && r.ok(); ++i) {
      Parse(r, items[i], Index(p, "items", i), &parsed.emplace_back());
    }
    if (r.ok()) out->insert(out->end(), parsed.begin(), parsed.end());
  }
  if (!r.ok()) return InvalidArgument(r.error());
  return part;
}

}  // namespace

Result<DocumentPart> ParseDepartments(std::string_view content_json, std::vector<Department>* out) {
  return ParseDocument(content_json, out);
}
Result<DocumentPart> ParseJurisdictions(std::string_view content_json,
                                        std::vector<Jurisdiction>* out) {
  return ParseDocument(content_json, out);
}
Result<DocumentPart> ParseHazardClasses(std::string_view content_json,
                                        std::vector<HazardClass>* out) {
  return ParseDocument(content_json, out);
}
Result<DocumentPart> ParseEnterprises(std::string_view content_json, std::vector<Enterprise>* out) {
  return ParseDocument(content_json, out);
}
Result<DocumentPart> ParseRescueTeams(std::string_view content_json, std::vector<RescueTeam>* out) {
  return ParseDocument(content_json, out);
}
Result<DocumentPart> ParseMaterialDepots(std::string_view content_json,
                                         std::vector<MaterialDepot>* out) {
  return ParseDocument(content_json, out);
}
Result<DocumentPart> ParseExperts(std::string_view content_json, std::vector<Expert>* out) {
  return ParseDocument(content_json, out);
}
Result<DocumentPart> ParsePlans(std::string_view content_json, std::vector<Plan>* out) {
  return ParseDocument(content_json, out);
}

}  // namespace closeloop::engine
