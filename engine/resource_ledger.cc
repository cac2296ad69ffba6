#include "engine/resource_ledger.h"

#include <functional>

#include "engine/keys.h"
#include "events/engine_record.h"

namespace closeloop::engine {
namespace {

using events::Str;

constexpr char kSep = '\0';

std::string TeamKey(uint32_t p, std::string_view team) { return keys::Tagged(p, "rt", team); }
std::string ExpertKey(uint32_t p, std::string_view expert) {
  return keys::Tagged(p, "re", expert);
}
std::string StockKey(uint32_t p, std::string_view depot, std::string_view item) {
  return keys::Tagged(p, "rs", std::string(depot) + kSep + std::string(item));
}
std::string DeclinedKey(uint32_t p, std::string_view ticket, std::string_view expert) {
  return keys::Tagged(p, "rd", std::string(ticket) + kSep + std::string(expert));
}

// Every entry under a tag (and `rest` prefix), as the key's remainder and the value.
Status ForEach(const StateReader& state, const std::string& prefix,
               const std::function<void(std::string_view, std::string_view)>& fn) {
  return state.Scan(prefix, keys::PrefixEnd(prefix), [&](std::string_view k, std::string_view v) {
    fn(k.substr(prefix.size()), v);
    return true;
  });
}

// Frees `key` when `ticket` holds it (a release never frees another incident's resource).
Status Free(Overlay& state, std::string key, std::string_view ticket) {
  CL_ASSIGN_OR_RETURN(auto holder, state.Get(key));
  if (holder && *holder == ticket) state.Delete(std::move(key));
  return Status::Ok();
}

Status Draw(Overlay& state, uint32_t p, const fb::DispatchedMaterial& m) {
  std::string key = StockKey(p, m.depot()->string_view(), m.item()->string_view());
  CL_ASSIGN_OR_RETURN(auto stored, state.Get(key));
  uint32_t version = m.stock_version();
  int64_t drawn = 0;
  if (stored && stored->size() == 16) {
    auto was = static_cast<uint32_t>(keys::ReadBE64(stored->substr(0, 8)));
    if (was > version) return Status::Ok();  // drawn from a stock since counted again
    if (was == version) drawn = static_cast<int64_t>(keys::ReadBE64(stored->substr(8, 8)));
  } else if (stored) {
    return Corruption("ledger: stock entry of " + m.depot()->str() + "/" + m.item()->str() +
                      " is damaged");
  }
  drawn += m.quantity();
  state.Put(std::move(key), keys::BE64(version) + keys::BE64(static_cast<uint64_t>(drawn)));
  return Status::Ok();
}

}  // namespace

int64_t LedgerView::DrawnOf(std::string_view depot, std::string_view item,
                            uint32_t version) const {
  auto it = drawn.find({std::string(depot), std::string(item)});
  if (it == drawn.end() || it->second.first != version) return 0;
  return it->second.second;
}

std::string LedgerView::TeamHolder(std::string_view team) const {
  auto it = teams.find(team);
  return it == teams.end() ? "" : it->second;
}

std::string LedgerView::ExpertHolder(std::string_view expert) const {
  auto it = experts.find(expert);
  return it == experts.end() ? "" : it->second;
}

Result<LedgerView> ReadLedger(const StateReader& state, uint32_t p, std::string_view ticket) {
  LedgerView v;
  CL_RETURN_IF_ERROR(ForEach(state, keys::Tagged(p, "rt", ""),
                             [&](std::string_view k, std::string_view val) {
                               v.teams.emplace(std::string(k), std::string(val));
                             }));
  CL_RETURN_IF_ERROR(ForEach(state, keys::Tagged(p, "re", ""),
                             [&](std::string_view k, std::string_view val) {
                               v.experts.emplace(std::string(k), std::string(val));
                             }));
  bool damaged = false;
  CL_RETURN_IF_ERROR(ForEach(state, keys::Tagged(p, "rs", ""),
                             [&](std::string_view k, std::string_view val) {
                               size_t sep = k.find(kSep);
                               if (sep == std::string_view::npos || val.size() != 16) {
                                 damaged = true;
                                 return;
                               }
                               v.drawn[{std::string(k.substr(0, sep)),
                                        std::string(k.substr(sep + 1))}] = {
                                   static_cast<uint32_t>(keys::ReadBE64(val.substr(0, 8))),
                                   static_cast<int64_t>(keys::ReadBE64(val.substr(8, 8)))};
                             }));
  if (damaged) return Corruption("ledger: a stock entry of partition " + std::to_string(p) +
                                 " is damaged");
  CL_RETURN_IF_ERROR(ForEach(state, keys::Tagged(p, "rd", std::string(ticket) + kSep),
                             [&](std::string_view k, std::string_view val) {
                               v.declined.emplace(std::string(k), std::string(val));
                             }));
  return v;
}

bool IsLedgerRecord(fb::Body type) {
  return type == fb::Body::ResourcesDispatched || type == fb::Body::ResourcesReleased ||
         type == fb::Body::ExpertAnswered;
}

Status ApplyToLedger(const fb::Record& r, uint32_t p, Overlay& state) {
  switch (r.body_type()) {
    case fb::Body::ResourcesDispatched: {
      const auto* b = r.body_as_ResourcesDispatched();
      const std::string ticket = b->ticket_id()->str();
      if (b->teams()) {
        for (const auto* t : *b->teams()) state.Put(TeamKey(p, t->string_view()), ticket);
      }
      if (b->experts()) {
        for (const auto* e : *b->experts()) state.Put(ExpertKey(p, e->string_view()), ticket);
      }
      if (b->material_legs()) {
        for (const auto* m : *b->material_legs()) CL_RETURN_IF_ERROR(Draw(state, p, *m));
      }
      return Status::Ok();
    }
    case fb::Body::ResourcesReleased: {
      const auto* b = r.body_as_ResourcesReleased();
      const std::string_view ticket = b->ticket_id()->string_view();
      if (b->teams()) {
        for (const auto* t : *b->teams())
          CL_RETURN_IF_ERROR(Free(state, TeamKey(p, t->string_view()), ticket));
      }
      if (b->experts()) {
        for (const auto* e : *b->experts())
          CL_RETURN_IF_ERROR(Free(state, ExpertKey(p, e->string_view()), ticket));
      }
      return Status::Ok();
    }
    case fb::Body::ExpertAnswered: {
      const auto* b = r.body_as_ExpertAnswered();
      if (b->accepted()) return Status::Ok();
      const std::string ticket = b->ticket_id()->str();
      CL_RETURN_IF_ERROR(Free(state, ExpertKey(p, b->expert()->string_view()), ticket));
      state.Put(DeclinedKey(p, ticket, b->expert()->string_view()), Str(b->reason()));
      if (b->replacement() && b->replacement()->size() > 0) {
        state.Put(ExpertKey(p, b->replacement()->string_view()), ticket);
      }
      return Status::Ok();
    }
    default:
      return Status::Ok();
  }
}

}  // namespace closeloop::engine
