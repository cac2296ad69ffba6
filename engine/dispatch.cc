#include "engine/dispatch.h"

#include <algorithm>

#include "base/splitmix64.h"
#include "events/hash.h"

namespace closeloop::engine {
namespace {

std::string District(const Ticket& t) { return t.jurisdiction.substr(0, t.jurisdiction.find('.')); }

}  // namespace

uint64_t DispatchSeed(std::string_view record_id, std::string_view ticket_id) {
  std::string text = std::string(record_id) + "/" + std::string(ticket_id);
  events::Hash h = events::Sha256Of(text);
  uint64_t seed = 0;
  for (int i = 0; i < 8; ++i) seed = (seed << 8) | h[i];
  return seed;
}

bool IncidentLocation(const ReferenceData& ref, const Ticket& t, GeoPoint* at) {
  if (const Enterprise* e = ref.FindEnterprise(t.subject)) {
    *at = e->location;
    return true;
  }
  std::string code = t.jurisdiction;
  while (!code.empty()) {
    if (const Jurisdiction* j = ref.FindJurisdiction(code)) {
      *at = j->location;
      return true;
    }
    size_t dot = code.rfind('.');
    code = dot == std::string::npos ? "" : code.substr(0, dot);
  }
  return false;
}

fb::IncidentLevel IncidentLevelOf(const Ticket& t) {
  dsl::Value level = t.Fact("level");
  if (level.type() == dsl::ValueType::kString) {
    for (auto l : fb::EnumValuesIncidentLevel()) {
      if (l != fb::IncidentLevel::unknown && level.as_string() == fb::EnumNameIncidentLevel(l)) {
        return l;
      }
    }
  }
  return t.severity == "major" ? fb::IncidentLevel::major : fb::IncidentLevel::general;
}

DispatchChoice ChooseResources(const ReferenceData& ref, const Ticket& t, uint64_t seed) {
  DispatchChoice out;
  out.located = IncidentLocation(ref, t, &out.at);
  const Plan* plan = ref.PlanFor(t.category, IncidentLevelOf(t), District(t));
  auto able = ref.TeamsFor(t.category, out.at);
  if (plan == nullptr) {
    if (!able.empty()) out.teams.push_back(able.front().item->id);
    return out;
  }
  out.plan = plan->id;
  for (const auto& type : plan->team_types) {
    for (const auto& n : able) {
      if (n.item->type == type) {
        if (std::find(out.teams.begin(), out.teams.end(), n.item->id) == out.teams.end()) {
          out.teams.push_back(n.item->id);
        }
        break;
      }
    }
  }
  for (const auto& item : plan->materials) {
    auto depots = ref.DepotsWith(item, out.at);
    if (!depots.empty()) out.materials.push_back(item + "@" + depots.front().item->id);
  }
  std::vector<std::string> qualified;
  for (const auto& speciality : plan->expert_specialities) {
    auto experts = ref.ExpertsBySpeciality(speciality, out.at);
    for (size_t i = 0; i < experts.size() && i < kExpertsPerSpeciality; ++i) {
      const std::string& id = experts[i].item->id;
      if (std::find(qualified.begin(), qualified.end(), id) == qualified.end()) {
        qualified.push_back(id);
      }
    }
  }
  size_t want = static_cast<size_t>(std::max(plan->expert_count, 1));
  if (plan->expert_specialities.empty()) want = 0;
  want = std::min(want, qualified.size());
  uint64_t state = seed;
  for (size_t i = 0; i < want; ++i) {
    size_t j = i + static_cast<size_t>(SplitMix64(&state) % (qualified.size() - i));
    std::swap(qualified[i], qualified[j]);
    out.experts.push_back(qualified[i]);
  }
  return out;
}

}  // namespace closeloop::engine
