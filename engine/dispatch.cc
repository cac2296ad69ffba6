#include "engine/dispatch.h"

#include <algorithm>
#include <tuple>

#include "base/splitmix64.h"
#include "events/hash.h"

namespace closeloop::engine {
namespace {

std::string District(const Ticket& t) { return t.jurisdiction.substr(0, t.jurisdiction.find('.')); }

bool Has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

template <typename T>
struct Ranked {
  const T* item;
  Reach reach;
};

// Nearest first: metres, then id (road and straight-line metres compare as metres).
template <typename T>
void SortByReach(std::vector<Ranked<T>>* v) {
  std::sort(v->begin(), v->end(), [](const Ranked<T>& a, const Ranked<T>& b) {
    return std::tie(a.reach.metres, a.item->id) < std::tie(b.reach.metres, b.item->id);
  });
}

// Why an expert may not be drawn for this incident now; "" when they may. Employed by the
// enterprise concerned: the table's employer_enterprise, or an employer named as it is.
std::string ExpertBar(const ReferenceData& ref, const Expert& e, const IncidentPlace& place,
                      int64_t now, const LedgerView& ledger, std::string* holder) {
  if (std::string h = ledger.ExpertHolder(e.id); !h.empty()) {
    *holder = h;
    return "committed";
  }
  if (ledger.declined.count(e.id)) return "declined";
  if (const ExpertAbsence* a = e.AbsentAt(now)) return a->kind == "leave" ? "on_leave" : "off_duty";
  if (!place.enterprise.empty()) {
    if (e.employer_enterprise == place.enterprise) return "employer";
    const Enterprise* ent = ref.FindEnterprise(place.enterprise);
    if (ent != nullptr && (e.employer == ent->name_zh || e.employer_en == ent->name_en))
      return "employer";
    if (std::binary_search(e.conflicts.begin(), e.conflicts.end(), place.enterprise))
      return "conflict";
  }
  return "";
}

// The qualified set for `specialities`: per speciality the kExpertsPerSpeciality nearest
// eligible experts, union in speciality order then distance. Experts passed over on the way
// (nearer than the last one qualified) are noted once each.
std::vector<std::string> Qualified(const ReferenceData& ref, const IncidentPlace& place, int64_t now,
                                   const LedgerView& ledger,
                                   const std::vector<std::string>& specialities,
                                   std::vector<PassedOver>* passed) {
  std::vector<std::string> qualified;
  for (const auto& speciality : specialities) {
    size_t taken = 0;
    for (const auto& n : ref.ExpertsBySpeciality(speciality, place.at)) {
      if (taken == kExpertsPerSpeciality) break;
      const std::string& id = n.item->id;
      std::string holder;
      std::string bar = ExpertBar(ref, *n.item, place, now, ledger, &holder);
      if (!bar.empty()) {
        bool noted = std::any_of(passed->begin(), passed->end(),
                                 [&](const PassedOver& p) { return p.id == id; });
        if (!noted) passed->push_back({id, bar, holder});
        continue;
      }
      ++taken;
      if (!Has(qualified, id)) qualified.push_back(id);
    }
  }
  return qualified;
}

// Draws `want` of `pool` without replacement: Fisher-Yates on splitmix64(seed).
std::vector<std::string> Draw(std::vector<std::string> pool, size_t want, uint64_t seed) {
  std::vector<std::string> out;
  want = std::min(want, pool.size());
  uint64_t state = seed;
  for (size_t i = 0; i < want; ++i) {
    size_t j = i + static_cast<size_t>(SplitMix64(&state) % (pool.size() - i));
    std::swap(pool[i], pool[j]);
    out.push_back(pool[i]);
  }
  return out;
}

void ChooseTeams(const ReferenceData& ref, const Ticket& t, const Plan* plan,
                 const LedgerView& ledger, DispatchChoice* out) {
  std::vector<Ranked<RescueTeam>> able;
  for (const auto& n : ref.TeamsFor(t.category, out->place.at)) {
    able.push_back({n.item, ReachOf(n.item->road_metres, n.item->location, out->place)});
  }
  SortByReach(&able);
  // The nearest free team of `type` ("" = any type); the held ones nearer are passed over.
  auto take = [&](const std::string& type) {
    std::vector<PassedOver> nearer;
    for (const auto& r : able) {
      if (!type.empty() && r.item->type != type) continue;
      if (Has(out->teams, r.item->id)) continue;  // taken for another type of this plan
      if (std::string h = ledger.TeamHolder(r.item->id); !h.empty()) {
        nearer.push_back({r.item->id, "committed", h});
        continue;
      }
      out->teams.push_back(r.item->id);
      out->team_legs.push_back({r.item->id, r.item->type, r.reach});
      break;
    }
    for (auto& p : nearer) {
      bool noted = std::any_of(out->passed_over.begin(), out->passed_over.end(),
                               [&](const PassedOver& q) { return q.id == p.id; });
      if (!noted) out->passed_over.push_back(std::move(p));
    }
  };
  if (plan == nullptr) {
    take("");
    return;
  }
  for (const auto& type : plan->team_types) {
    size_t before = out->teams.size();
    take(type);
    if (out->teams.size() == before) out->unfilled.push_back(type);
  }
}

void ChooseMaterials(const ReferenceData& ref, const Plan& plan, const LedgerView& ledger,
                     DispatchChoice* out) {
  out->stock_version = ref.Version("material_depots");
  for (const auto& item : plan.materials) {
    const int64_t requested = plan.QuantityOf(item);
    int64_t want = requested;
    std::vector<Ranked<MaterialDepot>> depots;
    for (const auto& n : ref.DepotsWith(item, out->place.at)) {
      depots.push_back({n.item, ReachOf(n.item->road_metres, n.item->location, out->place)});
    }
    SortByReach(&depots);
    for (const auto& d : depots) {
      if (want == 0) break;
      const MaterialItem* stock = d.item->Find(item);
      const int64_t left = stock->quantity - ledger.DrawnOf(d.item->id, item, out->stock_version);
      if (left <= 0) {
        out->passed_over.push_back({d.item->id + "/" + item, "no_stock", ""});
        continue;
      }
      const int64_t take = std::min(want, left);
      want -= take;
      out->materials.push_back(item + "@" + d.item->id);
      out->material_legs.push_back({item, d.item->id, stock->unit, take, left - take, d.reach});
    }
    if (want > 0) out->shortages.push_back({item, requested, want});
  }
}

}  // namespace

Reach ReachOf(const std::map<std::string, int64_t, std::less<>>& road_metres, GeoPoint base,
              const IncidentPlace& place) {
  if (!place.key.empty()) {
    if (auto it = road_metres.find(place.key); it != road_metres.end()) return {it->second, true};
  }
  return {DistanceMetres(place.at, base), false};
}

uint64_t DispatchSeed(std::string_view record_id, std::string_view ticket_id) {
  std::string text = std::string(record_id) + "/" + std::string(ticket_id);
  events::Hash h = events::Sha256Of(text);
  uint64_t seed = 0;
  for (int i = 0; i < 8; ++i) seed = (seed << 8) | h[i];
  return seed;
}

IncidentPlace PlaceOf(const ReferenceData& ref, const Ticket& t) {
  IncidentPlace p;
  if (const Enterprise* e = ref.FindEnterprise(t.subject)) {
    p.at = e->location;
    p.located = true;
    p.key = e->id;
    p.enterprise = e->id;
    return p;
  }
  std::string code = t.jurisdiction;
  while (!code.empty()) {
    if (const Jurisdiction* j = ref.FindJurisdiction(code)) {
      p.at = j->location;
      p.located = true;
      p.key = code;
      return p;
    }
    size_t dot = code.rfind('.');
    code = dot == std::string::npos ? "" : code.substr(0, dot);
  }
  return p;
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

DispatchChoice ChooseResources(const ReferenceData& ref, const Ticket& t, uint64_t seed,
                               int64_t now, const LedgerView& ledger) {
  DispatchChoice out;
  out.place = PlaceOf(ref, t);
  const Plan* plan = ref.PlanFor(t.category, IncidentLevelOf(t), District(t));
  ChooseTeams(ref, t, plan, ledger, &out);
  if (plan == nullptr) return out;
  out.plan = plan->id;
  ChooseMaterials(ref, *plan, ledger, &out);
  out.qualified =
      Qualified(ref, out.place, now, ledger, plan->expert_specialities, &out.passed_over);
  size_t want = static_cast<size_t>(std::max(plan->expert_count, 1));
  if (plan->expert_specialities.empty()) want = 0;
  out.experts = Draw(out.qualified, want, seed);
  return out;
}

Replacement ChooseReplacement(const ReferenceData& ref, const Ticket& t, std::string_view declined,
                              uint64_t seed, int64_t now, const LedgerView& ledger) {
  Replacement out;
  const Plan* plan = ref.PlanFor(t.category, IncidentLevelOf(t), District(t));
  if (plan == nullptr) return out;
  std::vector<std::string> specialities;
  if (const Expert* e = ref.FindExpert(declined)) {
    for (const auto& s : plan->expert_specialities) {
      if (Has(e->specialities, s)) specialities.push_back(s);
    }
  }
  if (specialities.empty()) specialities = plan->expert_specialities;
  IncidentPlace place = PlaceOf(ref, t);
  out.qualified = Qualified(ref, place, now, ledger, specialities, &out.passed_over);
  auto drawn = Draw(out.qualified, 1, seed);
  if (!drawn.empty()) out.expert = drawn.front();
  return out;
}

}  // namespace closeloop::engine
