#include "workflows/demo/city.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "workflows/demo/rng.h"

namespace closeloop::demo {
namespace {

using Json = nlohmann::ordered_json;  // keeps body_type before body, as the parser needs

// docs/reference-data.md's publishing order: what a table refers to comes before it.
constexpr const char* kTables[] = {
    "calendars",   "jurisdictions", "departments",     "hazard_classes", "hazard_routing",
    "enterprises", "rescue_teams",  "material_depots", "experts",        "plans"};

Status ReadLines(const std::string& path, std::vector<std::string>* out) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read " + path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out->push_back(line);
  }
  return Status::Ok();
}

Result<Json> Content(const std::string& line, const std::string& path) {
  try {
    Json rec = Json::parse(line);
    return Json::parse(rec.at("body").at("content_json").get<std::string>());
  } catch (const std::exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
}

// Industries of synthetic enterprises: weight (per mille), names and hazard classes.
struct Industry {
  const char* id;
  int weight;
  const char *zh, *en;
  std::vector<std::string> classes;
};
const std::vector<Industry>& Industries() {
  static const std::vector<Industry> kIndustries = {
      {"machinery",
       150,
       "机械制造",
       "Machinery",
       {"industrial_trade", "special_equipment", "fire_safety"}},
      {"metal_products",
       70,
       "金属制品",
       "Metal Products",
       {"industrial_trade", "special_equipment"}},
      {"electronics", 90, "电子科技", "Electronics", {"industrial_trade", "fire_safety"}},
      {"textiles", 40, "纺织", "Textiles", {"industrial_trade", "fire_safety"}},
      {"food", 70, "食品", "Food", {"industrial_trade", "special_equipment", "fire_safety"}},
      {"building_materials",
       40,
       "建材",
       "Building Materials",
       {"industrial_trade", "special_equipment"}},
      {"logistics",
       80,
       "物流",
       "Logistics",
       {"fire_safety", "special_equipment", "road_transport"}},
      {"construction", 110, "建设工程", "Construction", {"construction", "special_equipment"}},
      {"retail_mall", 50, "商贸", "Trading", {"fire_safety", "special_equipment", "gas"}},
      {"hotel", 50, "酒店管理", "Hotel Management", {"fire_safety", "gas"}},
      {"restaurant", 150, "餐饮管理", "Catering", {"gas", "fire_safety"}},
      {"road_transport", 30, "运输", "Transport", {"road_transport"}},
      {"fuel_station", 20, "石油销售", "Fuel Sales", {"hazardous_chemicals", "fire_safety"}},
      {"scenic_area", 20, "旅游开发", "Tourism Development", {"tourism_venue", "fire_safety"}},
      {"waste_disposal", 10, "环保科技", "Environmental Technology", {"hazardous_waste"}},
      {"pharmaceutical",
       20,
       "医药",
       "Pharmaceutical",
       {"hazardous_chemicals", "hazardous_waste", "fire_safety"}},
  };
  return kIndustries;
}

constexpr std::pair<const char*, const char*> kBrands[] = {
    {"瑞丰", "Ruifeng"},  {"恒昌", "Hengchang"},  {"宏远", "Hongyuan"}, {"德润", "Derun"},
    {"康泰", "Kangtai"},  {"鑫源", "Xinyuan"},    {"华岳", "Huayue"},   {"金桥", "Jinqiao"},
    {"永汇", "Yonghui"},  {"博晟", "Bosheng"},    {"嘉诚", "Jiacheng"}, {"启航", "Qihang"},
    {"天衡", "Tianheng"}, {"润禾", "Runhe"},      {"新扬", "Xinyang"},  {"众鑫", "Zhongxin"},
    {"泓泰", "Hongtai"},  {"中盛", "Zhongsheng"}, {"弘毅", "Hongyi"},   {"长泰", "Changtai"},
    {"宁扬", "Ningyang"}, {"江润", "Jiangrun"},   {"秦岳", "Qinyue"},   {"钧达", "Junda"},
    {"锦鸿", "Jinhong"},  {"聚丰", "Jufeng"},     {"昊天", "Haotian"},  {"盈科", "Yingke"},
    {"祥和", "Xianghe"},  {"华澄", "Huacheng"},   {"兆丰", "Zhaofeng"}, {"益康", "Yikang"},
    {"远航", "Yuanhang"}, {"卓越", "Zhuoyue"},    {"盛世", "Shengshi"}, {"龙蟠", "Longpan"},
    {"青溪", "Qingxi"},   {"燕矶", "Yanji"},      {"栖云", "Qiyun"},    {"秣陵", "Moling"},
};

Json EnterpriseItem(const Enterprise& e, const std::string& name_en, int officers) {
  return Json{{"id", e.id},
              {"name_zh", e.name_zh},
              {"name_en", name_en},
              {"district", e.district},
              {"jurisdiction", e.jurisdiction},
              {"industry", e.industry},
              {"scale", e.scale},
              {"risk_colour", e.colour},
              {"key_enterprise", e.key},
              {"safety_officers", officers},
              {"location", {{"lat", e.lat}, {"lon", e.lon}}},
              {"hazard_classes", e.classes},
              {"risk_sources", Json::array()}};
}

// The source the city's reference records carry ("nanjing-ems-admin"), for the grown table.
std::string ReferenceSource(const City& city) {
  for (const std::string& line : city.reference_records) {
    try {
      return Json::parse(line).at("source").get<std::string>();
    } catch (const std::exception&) {
    }
  }
  return "demo-admin";
}

Status ReadRates(const Json& j, const std::string& at, Rates* r) {
  const std::pair<const char*, double*> fields[] = {
      {"hazard_reports", &r->hazard_reports},       {"sensor_storms", &r->sensor_storms},
      {"plant_upsets", &r->plant_upsets},           {"video_alarms", &r->video_alarms},
      {"self_reports", &r->self_reports},           {"inspections", &r->inspections},
      {"enforcement_cases", &r->enforcement_cases}, {"incidents", &r->incidents},
      {"service_requests", &r->service_requests}};
  if (!j.is_object()) return InvalidArgument(at + ": must be an object");
  for (const auto& [key, value] : j.items()) {
    auto f = std::find_if(std::begin(fields), std::end(fields),
                          [&](const auto& x) { return key == x.first; });
    if (f == std::end(fields)) return InvalidArgument(at + "." + key + ": no such rate");
    if (!value.is_number() || value.get<double>() < 0) {
      return InvalidArgument(at + "." + key + ": must be a number >= 0");
    }
    *f->second = value.get<double>();
  }
  return Status::Ok();
}

// DIR/demo.json; departments: the ids of the departments table, to check personas against.
// An enterprise persona (role "enterprise") names its enterprise, an id of `enterprises`.
Result<Profile> ReadProfile(const std::string& path, const std::set<std::string>& departments,
                            const std::set<std::string>& enterprises) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read " + path);
  Profile p;
  std::string field = "";
  try {
    const Json j = Json::parse(in);
    auto text = [&](const Json& obj, const char* key, const std::string& at) {
      field = at + "." + key;
      std::string v = obj.at(key).get<std::string>();
      if (v.empty()) throw std::invalid_argument("must not be empty");
      return v;
    };
    p.name_zh = text(j.at("city"), "name_zh", "city");
    p.name_en = text(j.at("city"), "name_en", "city");
    p.company_zh = text(j.at("city"), "company_prefix_zh", "city");
    p.company_en = text(j.at("city"), "company_prefix_en", "city");
    field = "city_scale.enterprises";
    p.city_enterprises = j.at("city_scale").at("enterprises").get<size_t>();
    field = "city_scale.rates";
    CL_RETURN_IF_ERROR(
        ReadRates(j.at("city_scale").at("rates"), path + ": " + field, &p.city_rates));
    field = "personas";
    const Json& personas = j.at("personas");
    for (size_t i = 0; i < personas.size(); ++i) {
      const std::string at = "personas[" + std::to_string(i) + "]";
      Persona person{text(personas[i], "name", at), text(personas[i], "role", at),
                     text(personas[i], "department", at), text(personas[i], "display_name", at)};
      if (personas[i].contains("acts_as")) {
        field = at + ".acts_as";
        if (person.role != "staff")
          throw std::invalid_argument("only staff act as a workflow role");
        for (const auto& r : personas[i].at("acts_as")) {
          std::string role = r.get<std::string>();
          if (role != "head") throw std::invalid_argument("'" + role + "': only \"head\" is known");
          person.acts_as.push_back(std::move(role));
        }
      }
      field = at + ".department";
      if (person.role == "enterprise") {
        if (enterprises.count(person.department) == 0) {
          return InvalidArgument(path + ": " + field + ": '" + person.department +
                                 "' is not an enterprise of this city");
        }
      } else if (person.role != "publisher" && departments.count(person.department) == 0) {
        return InvalidArgument(path + ": " + field + ": '" + person.department +
                               "' is not a department of this city");
      }
      p.personas.push_back(std::move(person));
    }
  } catch (const std::exception& e) {
    return InvalidArgument(path + ": " + (field.empty() ? "" : field + ": ") + e.what());
  }
  return p;
}

std::vector<std::string> EnterpriseRecords(const City& city) {
  std::vector<std::string> out;
  const size_t parts =
      (city.enterprise_items.size() + kEnterprisesPerPart - 1) / kEnterprisesPerPart;
  for (size_t p = 0; p < parts; ++p) {
    Json items = Json::array();
    for (size_t i = p * kEnterprisesPerPart;
         i < std::min(city.enterprise_items.size(), (p + 1) * kEnterprisesPerPart); ++i) {
      items.push_back(Json::parse(city.enterprise_items[i]));
    }
    Json content = {{"part", p + 1}, {"parts", parts}, {"items", std::move(items)}};
    Json rec = {
        {"source", ReferenceSource(city)},
        {"body_type", "ReferenceDataUpdated"},
        {"body",
         {{"table_name", "enterprises"}, {"version", 1}, {"content_json", content.dump()}}}};
    out.push_back(rec.dump());
  }
  return out;
}

}  // namespace

Result<City> LoadCity(const std::string& reference_dir) {
  City city;
  std::set<std::string> districts, departments;
  for (const char* table : kTables) {
    const std::string path = reference_dir + "/" + table + ".jsonl";
    std::vector<std::string> lines;
    CL_RETURN_IF_ERROR(ReadLines(path, &lines));
    if (lines.empty()) return InvalidArgument(path + ": empty");
    for (const std::string& line : lines) {
      city.reference_records.push_back(line);
      if (std::string(table) == "jurisdictions") {
        CL_ASSIGN_OR_RETURN(Json content, Content(line, path));
        for (const Json& j : content["items"]) {
          if (j.value("level", "") == "district") districts.insert(j["code"].get<std::string>());
          if (j.value("level", "") != "grid") continue;
          std::string code = j["code"];
          city.grids.push_back({code, code.substr(0, code.find('.')), j.value("name_zh", code),
                                j["location"]["lat"], j["location"]["lon"]});
        }
      }
      if (std::string(table) == "departments") {
        CL_ASSIGN_OR_RETURN(Json content, Content(line, path));
        for (const Json& d : content["items"]) departments.insert(d.value("id", ""));
      }
      if (std::string(table) != "enterprises") continue;
      CL_ASSIGN_OR_RETURN(Json content, Content(line, path));
      for (const Json& e : content["items"]) {
        Enterprise ent;
        ent.id = e["id"];
        ent.name_zh = e["name_zh"];
        ent.district = e["district"];
        ent.jurisdiction = e["jurisdiction"];
        ent.industry = e["industry"];
        ent.scale = e["scale"];
        ent.colour = e["risk_colour"];
        ent.key = e["key_enterprise"];
        ent.park = e.contains("park");
        ent.lat = e["location"]["lat"];
        ent.lon = e["location"]["lon"];
        for (const Json& c : e["hazard_classes"]) ent.classes.push_back(c);
        if (ent.classes.empty()) ent.classes.push_back("other");
        for (const Json& rs : e.value("risk_sources", Json::array())) {
          for (const Json& s : rs["sensors"]) {
            city.sensors.push_back({s["id"], rs["id"], s["measure"], s.value("unit", ""),
                                    s.value("warning", 0.0), s.value("alarm", 0.0),
                                    s.value("critical", 0.0), city.enterprises.size(),
                                    rs.value("grade", 0)});
          }
        }
        city.enterprise_items.push_back(e.dump());
        city.enterprises.push_back(std::move(ent));
      }
    }
  }
  std::set<std::string> enterprise_ids;
  for (const auto& e : city.enterprises) enterprise_ids.insert(e.id);
  CL_ASSIGN_OR_RETURN(city.profile,
                      ReadProfile(reference_dir + "/demo.json", departments, enterprise_ids));
  city.districts.assign(districts.begin(), districts.end());
  city.reference_enterprises = city.enterprises.size();
  if (city.enterprises.empty() || city.sensors.empty() || city.grids.empty() ||
      city.districts.empty()) {
    return InvalidArgument(reference_dir + ": no enterprises, sensors, grids or districts");
  }
  return city;
}

void Synthesise(City& city, size_t total, uint64_t seed) {
  if (city.enterprises.size() >= total) return;
  Rng rng(SeedFor(seed, "enterprises"));
  int weights = 0;
  for (const Industry& i : Industries()) weights += i.weight;
  for (size_t n = city.enterprises.size(); n < total; ++n) {
    int pick = static_cast<int>(rng.Below(weights));
    const Industry* ind = &Industries().front();
    for (const Industry& i : Industries()) {
      if ((pick -= i.weight) < 0) {
        ind = &i;
        break;
      }
    }
    const Grid& g = city.grids[rng.Below(city.grids.size())];
    const auto& brand = kBrands[rng.Below(std::size(kBrands))];
    Enterprise e;
    char id[16];
    std::snprintf(id, sizeof id, "ENT-%06zu", 100000 + n);
    e.id = id;
    const std::string number = std::to_string(n % 97 + 1);
    e.name_zh = city.profile.company_zh + brand.first + ind->zh + "有限公司（" + number + "）";
    e.district = g.district;
    e.jurisdiction = g.code;
    e.industry = ind->id;
    int roll = static_cast<int>(rng.Below(100));
    e.scale = roll < 3 ? "large" : roll < 15 ? "medium" : roll < 55 ? "small" : "micro";
    roll = static_cast<int>(rng.Below(100));
    e.colour = roll < 3 ? "red" : roll < 12 ? "orange" : roll < 40 ? "yellow" : "blue";
    e.key = e.scale == "large" || e.colour == "red" || rng.Chance(2);
    e.classes = ind->classes;
    // Within about a kilometre of the grid's centre.
    e.lat = std::round((g.lat + (rng.Unit() - 0.5) * 0.02) * 1e5) / 1e5;
    e.lon = std::round((g.lon + (rng.Unit() - 0.5) * 0.02) * 1e5) / 1e5;
    const int officers = e.scale == "large"    ? 4
                         : e.scale == "medium" ? 2
                         : e.scale == "small"  ? 1
                                               : 0;
    city.enterprise_items.push_back(EnterpriseItem(e,
                                                   city.profile.company_en + " " + brand.second +
                                                       " " + ind->en + " Co., Ltd. (" + number +
                                                       ")",
                                                   officers)
                                        .dump());
    city.enterprises.push_back(std::move(e));
  }
  // Swap the reference enterprise records for the grown table.
  std::vector<std::string> records;
  bool placed = false;
  for (const std::string& line : city.reference_records) {
    if (line.find(R"("table_name": "enterprises")") == std::string::npos &&
        line.find(R"("table_name":"enterprises")") == std::string::npos) {
      records.push_back(line);
    } else if (!placed) {
      for (std::string& r : EnterpriseRecords(city)) records.push_back(std::move(r));
      placed = true;
    }
  }
  city.reference_records = std::move(records);
}

}  // namespace closeloop::demo
