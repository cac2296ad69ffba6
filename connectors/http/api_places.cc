// What the console's maps read: the city's places with their centre points, the outlines of
// its districts and streets (GeoJSON the city ships, ApiOptions::outlines) and its enterprises
// with their positions and risk colours.
#include <spdlog/spdlog.h>

#include <set>

#include "connectors/http/api_internal.h"

namespace closeloop::http {
namespace {

const char* LevelName(engine::JurisdictionLevel level) {
  return level == engine::JurisdictionLevel::kDistrict ? "district"
         : level == engine::JurisdictionLevel::kStreet ? "street"
                                                       : "grid";
}

}  // namespace

void Api::Impl::RegisterPlaces(httplib::Server& s) {
  const uint32_t signed_in = Roles({Role::kPublisher, Role::kStaff, Role::kSupervisor,
                                    Role::kInspector, Role::kAuditor, Role::kAdmin});

  // The outlines every shipped file gives, by place code (a later file's feature for a code
  // replaces an earlier one's). A file that is not a FeatureCollection is skipped, said once.
  auto outlines = std::make_shared<std::map<std::string, json>>();
  for (size_t i = 0; i < o.outlines.size(); ++i) {
    json doc = json::parse(o.outlines[i], nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || doc.value("type", "") != "FeatureCollection" ||
        !doc.contains("features") || !doc["features"].is_array()) {
      spdlog::error("outlines file {}: not a GeoJSON FeatureCollection; skipped", i);
      continue;
    }
    for (auto& f : doc["features"]) {
      if (!f.is_object() || !f.contains("properties") || !f["properties"].is_object()) continue;
      std::string code = f["properties"].value("code", "");
      if (!code.empty() && f.contains("geometry")) (*outlines)[code] = std::move(f);
    }
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
