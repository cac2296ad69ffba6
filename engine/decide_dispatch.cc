// The incident loop's resource ledger as effects of transitions: `dispatch resources`,
// `release resources`, `answer expert` (engine/dispatch.h, engine/resource_ledger.h).
#include <algorithm>

#include "engine/decide.h"
#include "engine/dispatch.h"
#include "engine/resource_ledger.h"

namespace closeloop::engine {
namespace {

using events::Str;

template <typename T>
Status EmitBody(Step& step, T&& value, const Ticket& t) {
  fb::BodyUnion body;
  body.Set(std::forward<T>(value));
  return step.Emit(std::move(body), t);
}

// A field of the StaffCommand being processed ("" when absent or not a command).
std::string CommandField(const Step& step, std::string_view key) {
  const auto* cmd = step.input().body_as_StaffCommand();
  if (cmd == nullptr) return "";
  if (key == "reason") return Str(cmd->reason());
  if (key == "note") return Str(cmd->note());
  if (cmd->fields() == nullptr) return "";
  for (const auto* a : *cmd->fields()) {
    if (a->key()->string_view() == key) return Str(a->value());
  }
  return "";
}

fb::DistanceKind KindOf(const Reach& r) {
  return r.road ? fb::DistanceKind::road : fb::DistanceKind::straight_line;
}

std::vector<std::unique_ptr<fb::PassedOverT>> Passed(const std::vector<PassedOver>& in) {
  std::vector<std::unique_ptr<fb::PassedOverT>> out;
  for (const auto& p : in) {
    auto q = std::make_unique<fb::PassedOverT>();
    q->id = p.id;
    q->reason = p.reason;
    q->holder = p.holder;
    out.push_back(std::move(q));
  }
  return out;
}

// What the ticket holds, as the ledger says: (teams, experts), each in id order.
std::pair<std::vector<std::string>, std::vector<std::string>> Held(const LedgerView& ledger,
                                                                   std::string_view ticket) {
  std::pair<std::vector<std::string>, std::vector<std::string>> out;
  for (const auto& [team, holder] : ledger.teams) {
    if (holder == ticket) out.first.push_back(team);
  }
  for (const auto& [expert, holder] : ledger.experts) {
    if (holder == ticket) out.second.push_back(expert);
  }
  return out;
}

bool Has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

Status EmitDispatch(Step& step, const Ticket& cur, const Ticket& seen) {
  const uint64_t seed = DispatchSeed(step.input_id(), cur.id);
  CL_ASSIGN_OR_RETURN(LedgerView ledger,
                      ReadLedger(step.tickets().state(), step.partition(), cur.id));
  DispatchChoice c = ChooseResources(step.world().reference(), seen, seed, step.now(), ledger);
  fb::ResourcesDispatchedT r;
  r.ticket_id = cur.id;
  r.plan = c.plan;
  r.teams = c.teams;
  r.materials = c.materials;
  r.experts = c.experts;
  r.seed = seed;
  r.version = cur.version + 1;
  r.located = c.place.located;
  for (const auto& leg : c.team_legs) {
    auto t = std::make_unique<fb::DispatchedTeamT>();
    t->team = leg.team;
    t->type = leg.type;
    t->metres = leg.reach.metres;
    t->distance = KindOf(leg.reach);
    r.team_legs.push_back(std::move(t));
  }
  for (const auto& leg : c.material_legs) {
    auto m = std::make_unique<fb::DispatchedMaterialT>();
    m->item = leg.item;
    m->depot = leg.depot;
    m->quantity = leg.quantity;
    m->unit = leg.unit;
    m->metres = leg.reach.metres;
    m->distance = KindOf(leg.reach);
    m->stock_version = c.stock_version;
    m->left = leg.left;
    r.material_legs.push_back(std::move(m));
  }
  for (const auto& s : c.shortages) {
    auto m = std::make_unique<fb::MaterialShortageT>();
    m->item = s.item;
    m->requested = s.requested;
    m->missing = s.missing;
    r.shortages.push_back(std::move(m));
  }
  r.passed_over = Passed(c.passed_over);
  r.qualified = c.qualified;
  r.unfilled = c.unfilled;
  return EmitBody(step, std::move(r), cur);
}

Status EmitRelease(Step& step, const Ticket& cur, std::string_view trigger) {
  CL_ASSIGN_OR_RETURN(LedgerView ledger,
                      ReadLedger(step.tickets().state(), step.partition(), cur.id));
  auto [teams, experts] = Held(ledger, cur.id);
  const std::string one = CommandField(step, "resource");
  if (!one.empty()) {
    teams.erase(std::remove_if(teams.begin(), teams.end(), [&](auto& x) { return x != one; }),
                teams.end());
    experts.erase(
        std::remove_if(experts.begin(), experts.end(), [&](auto& x) { return x != one; }),
        experts.end());
  }
  if (teams.empty() && experts.empty()) return Status::Ok();  // nothing held: nothing to say
  fb::ResourcesReleasedT r;
  r.ticket_id = cur.id;
  r.teams = std::move(teams);
  r.experts = std::move(experts);
  r.reason = CommandField(step, "reason");
  if (r.reason.empty()) r.reason = std::string(trigger);
  r.version = cur.version + 1;
  return EmitBody(step, std::move(r), cur);
}

Status EmitExpertAnswer(Step& step, const Ticket& cur) {
  fb::ExpertAnsweredT r;
  r.ticket_id = cur.id;
  r.expert = CommandField(step, "expert");
  r.accepted = CommandField(step, "answer") == "accept";
  r.reason = CommandField(step, "reason");
  r.version = cur.version + 1;
  if (!r.accepted) {
    CL_ASSIGN_OR_RETURN(LedgerView ledger,
                        ReadLedger(step.tickets().state(), step.partition(), cur.id));
    // The draw sees the decline: the expert is free of this incident and not drawn again.
    ledger.experts.erase(r.expert);
    ledger.declined[r.expert] = r.reason;
    r.seed = DispatchSeed(step.input_id(), cur.id);
    Replacement rep = ChooseReplacement(step.world().reference(), cur, r.expert, r.seed,
                                        step.now(), ledger);
    r.replacement = rep.expert;
    r.qualified = std::move(rep.qualified);
    r.passed_over = Passed(rep.passed_over);
  }
  return EmitBody(step, std::move(r), cur);
}

Result<std::string> LedgerEffectProblem(Step& step, const Ticket& t, const dsl::Transition& tr,
                                        std::string* field) {
  for (const auto& e : tr.effects) {
    if (e.kind != dsl::EffectKind::kRelease && e.kind != dsl::EffectKind::kAnswerExpert) continue;
    CL_ASSIGN_OR_RETURN(LedgerView ledger,
                        ReadLedger(step.tickets().state(), step.partition(), t.id));
    auto [teams, experts] = Held(ledger, t.id);
    if (e.kind == dsl::EffectKind::kAnswerExpert) {
      const std::string expert = CommandField(step, "expert");
      *field = "expert";
      if (expert.empty()) return std::string("expert: required (an expert dispatched to ") + t.id + ")";
      if (!Has(experts, expert)) {
        if (ledger.declined.count(expert))
          return "expert: " + expert + " already declined this incident";
        return "expert: " + expert + " is not dispatched to this incident (it holds " +
               (experts.empty() ? std::string("no experts") : std::to_string(experts.size()) +
                                                                  " expert(s)") +
               ")";
      }
      // An expert answers for themselves (their user id is their expert id); the command
      // centre answers for any of them.
      const auto* cmd = step.input().body_as_StaffCommand();
      if (cmd != nullptr && Str(cmd->role()) == "expert" && step.actor() != expert) {
        return "expert: " + step.actor() + " may answer only for themselves, not for " + expert;
      }
      if (CommandField(step, "answer") != "accept" && CommandField(step, "reason").empty()) {
        *field = "reason";
        return std::string("reason: a decline needs the expert's reason");
      }
    } else {
      const std::string one = CommandField(step, "resource");
      if (!one.empty() && !Has(teams, one) && !Has(experts, one)) {
        *field = "resource";
        return "resource: " + one + " is not a team or expert this incident holds";
      }
      // A release that moves nothing and frees nothing would leave no record of itself.
      if (one.empty() && teams.empty() && experts.empty() && tr.target.empty()) {
        *field = "";
        return std::string("the incident holds no teams or experts to release");
      }
    }
  }
  return std::string();
}

}  // namespace closeloop::engine
