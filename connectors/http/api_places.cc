// What the console's maps read: the city's places with their centre points, the outlines of
// its districts and streets (GeoJSON the city ships, ApiOptions::outlines) and its enterprises
// with their positions and risk colours.
#include <spdlog/spdlog.h>

#include <cmath>
#include <set>

#include "base/json_check.h"
#include "connectors/http/api_internal.h"

namespace closeloop::http {
namespace {

// One ring: an array of at least four positions, the last equal to the first.
std::string RingProblem(const json& ring, const std::string& at) {
  if (!ring.is_array()) return at + ": a ring must be an array of positions";
  if (ring.size() < 4) return at + ": a ring needs at least 4 positions (RFC 7946 3.1.6)";
  for (size_t i = 0; i < ring.size(); ++i) {
    const json& pos = ring[i];
    const std::string here = at + "[" + std::to_string(i) + "]";
    if (!pos.is_array() || pos.size() < 2 || !pos[0].is_number() || !pos[1].is_number()) {
      return here + ": a position must be [longitude, latitude]";
    }
    const double lon = pos[0].get<double>(), lat = pos[1].get<double>();
    if (!(std::fabs(lon) <= 180)) return here + ": longitude " + pos[0].dump() + " is out of range";
    if (!(std::fabs(lat) <= 90)) return here + ": latitude " + pos[1].dump() + " is out of range";
  }
  if (ring.front()[0] != ring.back()[0] || ring.front()[1] != ring.back()[1]) {
    return at + ": a ring must end where it starts (RFC 7946 3.1.6)";
  }
  return "";
}

std::string PolygonProblem(const json& rings, const std::string& at) {
  if (!rings.is_array() || rings.empty()) return at + ": a polygon is a non-empty array of rings";
  for (size_t i = 0; i < rings.size(); ++i) {
    std::string p = RingProblem(rings[i], at + "[" + std::to_string(i) + "]");
    if (!p.empty()) return p;
  }
  return "";
}

// The features of a collection CheckOutlines accepted, by code; or the problem.
Result<std::map<std::string, json>> ParseOutlines(std::string_view text) {
  if (auto bad = CheckJson(text, JsonLimits{.max_bytes = 64u << 20, .max_depth = 16})) {
    return InvalidArgument("line " + std::to_string(bad->line) + ", column " +
                           std::to_string(bad->column) + ": " + bad->message);
  }
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("type") || doc["type"] != "FeatureCollection") {
    return InvalidArgument("type: must be \"FeatureCollection\"");
  }
  if (!doc.contains("features") || !doc["features"].is_array()) {
    return InvalidArgument("features: must be an array");
  }
  std::map<std::string, json> out;
  json& features = doc["features"];
  for (size_t i = 0; i < features.size(); ++i) {
    json& f = features[i];
    const std::string at = "features[" + std::to_string(i) + "]";
    if (!f.is_object() || !f.contains("type") || f["type"] != "Feature") {
      return InvalidArgument(at + ".type: must be \"Feature\"");
    }
    if (!f.contains("properties") || !f["properties"].is_object() ||
        !f["properties"].contains("code") || !f["properties"]["code"].is_string() ||
        f["properties"]["code"].get<std::string>().empty()) {
      return InvalidArgument(at + ".properties.code: must be the place's code (a string)");
    }
    const std::string code = f["properties"]["code"].get<std::string>();
    if (out.count(code)) return InvalidArgument(at + ".properties.code: " + code + " twice");
    if (!f.contains("geometry") || !f["geometry"].is_object()) {
      return InvalidArgument(at + ".geometry: must be a Polygon or MultiPolygon");
    }
    const json& g = f["geometry"];
    const std::string type =
        g.contains("type") && g["type"].is_string() ? g["type"].get<std::string>() : "";
    const std::string coords = at + ".geometry.coordinates";
    if (!g.contains("coordinates")) return InvalidArgument(coords + ": missing");
    std::string problem;
    if (type == "Polygon") {
      problem = PolygonProblem(g["coordinates"], coords);
    } else if (type == "MultiPolygon") {
      const json& polys = g["coordinates"];
      if (!polys.is_array() || polys.empty()) problem = coords + ": a non-empty array of polygons";
      for (size_t p = 0; problem.empty() && p < polys.size(); ++p) {
        problem = PolygonProblem(polys[p], coords + "[" + std::to_string(p) + "]");
      }
    } else {
      problem = at + ".geometry.type: must be \"Polygon\" or \"MultiPolygon\"";
    }
    if (!problem.empty()) return InvalidArgument(problem);
    out.emplace(code, std::move(f));
  }
  return out;
}

const char* LevelName(engine::JurisdictionLevel level) {
  return level == engine::JurisdictionLevel::kDistrict ? "district"
         : level == engine::JurisdictionLevel::kStreet ? "street"
                                                       : "grid";
}

}  // namespace

Status CheckOutlines(std::string_view geojson) { return ParseOutlines(geojson).status(); }

void Api::Impl::RegisterPlaces(httplib::Server& s) {
  const uint32_t signed_in = Roles({Role::kPublisher, Role::kStaff, Role::kSupervisor,
                                    Role::kInspector, Role::kAuditor, Role::kAdmin});

  // The outlines of every collection given, by place code (a later collection's feature for
  // a code replaces an earlier one's). The server checked each with CheckOutlines before
  // starting (serve --outlines); one that fails here is a programming error, and said.
  auto outlines = std::make_shared<std::map<std::string, json>>();
  for (size_t i = 0; i < o.outlines.size(); ++i) {
    auto parsed = ParseOutlines(o.outlines[i]);
    if (!parsed.ok()) {
      spdlog::error("outlines {}: {}", i, parsed.status().message());
      continue;
    }
    for (auto& [code, f] : *parsed) (*outlines)[code] = std::move(f);
  }

  // The city's districts, streets and grids with the centre point the reference data gives
  // each, for the console's maps.
  Route(s, "GET", "/v1/places", signed_in, [this](Call& c) {
    json out = json::array();
    world.With([&](const engine::World& w) {
      for (const auto& [code, j] : w.reference().jurisdictions()) {
        out.push_back({{"code", j.code},
                       {"name", j.name_en},
                       {"name_zh", j.name_zh},
                       {"level", LevelName(j.level)},
                       {"parent", j.parent},
                       {"lat", j.location.lat},
                       {"lon", j.location.lon}});
      }
      return 0;
    });
    c.Json(200, {{"places", out}});
  });

  // The outlines of the places in effect: the shipped features whose code is a district or
  // street of the reference data now. 404 `no_outlines` when the city ships none.
  Route(s, "GET", "/v1/places/outlines", signed_in, [this, outlines](Call& c) {
    json features = json::array();
    world.With([&](const engine::World& w) {
      for (const auto& [code, j] : w.reference().jurisdictions()) {
        if (j.level == engine::JurisdictionLevel::kGrid) continue;
        auto it = outlines->find(code);
        if (it != outlines->end()) features.push_back(it->second);
      }
      return 0;
    });
    if (features.empty()) {
      return c.Error(404, "no_outlines",
                     "no outlines ship for the places in effect (docs/console.md, \"Maps\")");
    }
    c.detail = std::to_string(features.size());
    c.Json(200, {{"type", "FeatureCollection"}, {"features", features}});
  });

  // Every enterprise with a position: id, names, place, risk colour, on the key list.
  Route(s, "GET", "/v1/places/enterprises", signed_in, [this](Call& c) {
    json out = json::array();
    world.With([&](const engine::World& w) {
      for (const engine::Enterprise* e : w.reference().FindEnterprises({})) {
        if (!e->location.lat && !e->location.lon) continue;
        out.push_back({{"id", e->id},
                       {"name", e->name_en},
                       {"name_zh", e->name_zh},
                       {"jurisdiction", e->jurisdiction},
                       {"risk_colour", engine::RiskColourName(e->risk_colour)},
                       {"key_enterprise", e->key_enterprise},
                       {"lat", e->location.lat},
                       {"lon", e->location.lon}});
      }
      return 0;
    });
    c.Json(200, {{"enterprises", out}});
  });
}

}  // namespace closeloop::http
