#include "engine/duty.h"

#include "engine/keys.h"
#include "engine/notify_values.h"
#include "engine/outbox.h"
#include "events/engine_record.h"
#include "events/record.h"

namespace closeloop::engine::duty {
namespace {

using nlohmann::json;

std::string DueKey(uint32_t p, int64_t at, std::string_view chain_id) {
  return keys::Tagged(p, "nt", keys::BE64(static_cast<uint64_t>(at)) + std::string(chain_id));
}

using events::Str;

bool IsDutyRecord(fb::Body type) {
  return type == fb::Body::DutyPaged || type == fb::Body::PageAcknowledged ||
         type == fb::Body::PagingExhausted;
}

Result<std::optional<json>> LoadChain(const StateReader& state, uint32_t p,
                                      std::string_view chain_id) {
  CL_ASSIGN_OR_RETURN(auto text, state.Get(ChainKey(p, chain_id)));
  if (!text) return std::optional<json>();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) return Internal("chain " + std::string(chain_id) + ": not JSON");
  return std::optional<json>(std::move(j));
}

// What a record of the chain is about: its ticket when there is one, else the subject and
// chain the chain's first record named.
Result<Ticket> About(Step& step, const json& chain) {
  const std::string ticket_id = chain.value("ticket_id", "");
  if (!ticket_id.empty()) {
    CL_ASSIGN_OR_RETURN(auto t, step.tickets().Load(ticket_id));
    if (t) return *t;
  }
  Ticket about;
  about.subject = chain.value("subject", "");
  about.jurisdiction = chain.value("jurisdiction", "");
  about.chain_id = chain.value("correlation", "");
  return about;
}

Status EmitPage(Step& step, const json& chain, size_t position, const Ticket& about) {
  fb::DutyPagedT p;
  p.ticket_id = chain.value("ticket_id", "");
  p.chain_id = chain.value("chain_id", "");
  p.subscription = chain.value("subscription", "");
  p.roster = chain.value("roster", "");
  p.roster_version = chain.value("roster_version", 0u);
  p.shift = chain.value("shift", "");
  p.order = chain["order"].get<std::vector<std::string>>();
  p.position = static_cast<uint32_t>(position);
  p.person = p.order.at(position);
  p.ack_by = step.now() + chain.value("ack_within", int64_t{0});
  p.cause_id = chain.value("cause_id", "");
  p.cause_type = chain.value("cause_type", "");
  p.title = chain.value("title", "");
  p.text = chain.value("text", "");
  fb::BodyUnion body;
  body.Set(std::move(p));
  return step.Emit(std::move(body), about);
}

Status Reject(Step& step, const Ticket& about, fb::RejectReason reason, std::string message) {
  fb::CommandRejectedT rej;
  rej.ticket_id = about.id;
  rej.verb = "acknowledge";
  rej.reason = reason;
  rej.message = std::move(message);
  rej.field = "delivery_id";
  fb::BodyUnion body;
  body.Set(std::move(rej));
  return step.Emit(std::move(body), about);
}

}  // namespace

std::string ChainKey(uint32_t p, std::string_view chain_id) {
  return keys::Tagged(p, "nc", chain_id);
}
std::string PageKey(uint32_t p, std::string_view page_record_id) {
  return keys::Tagged(p, "np", page_record_id);
}

Result<std::optional<json>> ChainOfPage(const StateReader& state, uint32_t p,
                                        std::string_view page_record_id) {
  CL_ASSIGN_OR_RETURN(auto chain_id, state.Get(PageKey(p, page_record_id)));
  if (!chain_id) return std::optional<json>();
  return LoadChain(state, p, *chain_id);
}

Status DecidePages(Step& step) {
  const World& world = step.world();
  const NotifyTable* table = world.notify();
  if (table == nullptr || world.rosters() == nullptr) return Status::Ok();
  bool paging = false;
  for (const auto& sub : table->subscriptions()) paging = paging || sub.ack_within_ms > 0;
  if (!paging) return Status::Ok();
  auto emitted = step.emitted().find(step.partition());
  if (emitted == step.emitted().end()) return Status::Ok();
  const std::vector<std::string> records = emitted->second;  // Emit below appends to it
  for (const std::string& bytes : records) {
    CL_ASSIGN_OR_RETURN(const fb::Record* rec, events::VerifyRecord(bytes));
    if (IsDutyRecord(rec->body_type())) continue;
    const std::string type(events::BodyName(rec->body_type()));
    const std::string ticket_id = Str(events::EngineTicketId(*rec));
    std::optional<Ticket> ticket;
    if (!ticket_id.empty()) {
      CL_ASSIGN_OR_RETURN(ticket, step.tickets().Load(ticket_id));
    }
    const Ticket t = ticket ? *ticket : Ticket();
    const NotifyFacts facts = NotifyFactsOf(*rec, t);
    for (const Subscription& sub : table->subscriptions()) {
      if (sub.ack_within_ms <= 0 || !SubscriptionMatches(sub, type, t, facts.department)) continue;
      const Roster* roster = world.rosters()->Find(sub.to.front().roster);
      if (roster == nullptr) continue;  // World refuses a subscription naming no roster
      const std::string chain_id = outbox::DeliveryId(Str(rec->id()), sub.id);
      CL_ASSIGN_OR_RETURN(auto existing,
                          LoadChain(step.tickets().state(), step.partition(), chain_id));
      if (existing) continue;
      const Calendar& roster_calendar = world.CalendarFor(roster->calendar);
      const Shift& shift = roster->ShiftAt(step.now(), roster_calendar);
      std::map<std::string, std::string> v =
          NotifyValues(*rec, t, facts, world, sub.language, roster_calendar.time_zone());
      v["ack_url"] = "{ack_url}";  // the deliverer puts each page's signed link there
      json chain = {{"ticket_id", ticket_id},
                    {"chain_id", chain_id},
                    {"subscription", sub.id},
                    {"roster", roster->id},
                    {"roster_version", world.rosters()->version()},
                    {"shift", shift.id},
                    {"order", shift.order},
                    {"ack_within", sub.ack_within_ms},
                    {"cause_id", Str(rec->id())},
                    {"cause_type", type},
                    {"title", sub.subject.Render(v)},
                    {"text", sub.body.Render(v)},
                    {"subject", Str(rec->subject())},
                    {"jurisdiction", Str(rec->jurisdiction())},
                    {"correlation", Str(rec->correlation_id())}};
      Ticket about = ticket ? *ticket : Ticket();
      if (!ticket) {
        about.subject = chain["subject"];
        about.jurisdiction = chain["jurisdiction"];
        about.chain_id = chain["correlation"];
      }
      CL_RETURN_IF_ERROR(EmitPage(step, chain, 0, about));
    }
  }
  return Status::Ok();
}

Status DecidePageTimeouts(Step& step) {
  const uint32_t p = step.partition();
  std::vector<std::string> due;
  CL_RETURN_IF_ERROR(step.tickets().state().Scan(
      keys::Tagged(p, "nt", ""), DueKey(p, step.now() + 1, ""),
      [&](std::string_view key, std::string_view) {
        due.emplace_back(key.substr(keys::Tagged(p, "nt", "").size() + 8));
        return true;
      }));
  for (const std::string& chain_id : due) {
    CL_ASSIGN_OR_RETURN(auto chain, LoadChain(step.tickets().state(), p, chain_id));
    if (!chain || chain->value("status", "") != "waiting" ||
        chain->value("ack_by", int64_t{0}) > step.now()) {
      continue;
    }
    CL_ASSIGN_OR_RETURN(Ticket about, About(step, *chain));
    const size_t next = chain->value("position", size_t{0}) + 1;
    if (next < (*chain)["order"].size()) {
      CL_RETURN_IF_ERROR(EmitPage(step, *chain, next, about));
      continue;
    }
    fb::PagingExhaustedT end;
    end.ticket_id = chain->value("ticket_id", "");
    end.chain_id = chain_id;
    end.paged = static_cast<uint32_t>((*chain)["order"].size());
    end.roster = chain->value("roster", "");
    fb::BodyUnion body;
    body.Set(std::move(end));
    CL_RETURN_IF_ERROR(step.Emit(std::move(body), about));
  }
  return Status::Ok();
}

Status DecideAcknowledgement(Step& step) {
  const auto* ack = step.input().body_as_PageAcknowledgement();
  const std::string delivery_id = Str(ack->delivery_id());
  const std::string page_id = delivery_id.substr(0, delivery_id.find('.'));
  CL_ASSIGN_OR_RETURN(auto chain, ChainOfPage(step.tickets().state(), step.partition(), page_id));
  Ticket none;
  none.subject = Str(step.input().subject());
  if (!chain) {
    return Reject(step, none, fb::RejectReason::invalid, "no page " + delivery_id);
  }
  CL_ASSIGN_OR_RETURN(Ticket about, About(step, *chain));
  if (delivery_id != page_id + "." + chain->value("subscription", "")) {
    return Reject(step, about, fb::RejectReason::invalid, "no page " + delivery_id);
  }
  if (chain->value("status", "") == "acknowledged") {
    return Reject(step, about, fb::RejectReason::wrong_state,
                  "the page chain " + chain->value("chain_id", "") + " was acknowledged by " +
                      chain->value("acknowledged_by", "") + " already");
  }
  size_t position = 0;
  std::string person;
  for (const auto& page : (*chain)["pages"]) {
    if (page.value("id", "") == page_id) {
      position = page.value("position", size_t{0});
      person = page.value("person", "");
    }
  }
  fb::PageAcknowledgedT a;
  a.ticket_id = chain->value("ticket_id", "");
  a.chain_id = chain->value("chain_id", "");
  a.delivery_id = delivery_id;
  a.position = static_cast<uint32_t>(position);
  a.person = person;
  a.via = Str(ack->via());
  a.after_ms = step.now() - chain->value("started_at", step.now());
  fb::BodyUnion body;
  body.Set(std::move(a));
  return step.Emit(std::move(body), about);
}

Status ApplyDutyRecord(const fb::Record& rec, TicketTable& tickets) {
  const uint32_t p = tickets.partition();
  Overlay& state = tickets.state();
  std::string chain_id;
  switch (rec.body_type()) {
    case fb::Body::DutyPaged:
      chain_id = Str(rec.body_as_DutyPaged()->chain_id());
      break;
    case fb::Body::PageAcknowledged:
      chain_id = Str(rec.body_as_PageAcknowledged()->chain_id());
      break;
    case fb::Body::PagingExhausted:
      chain_id = Str(rec.body_as_PagingExhausted()->chain_id());
      break;
    default:
      return Status::Ok();
  }
  CL_ASSIGN_OR_RETURN(auto loaded, LoadChain(state, p, chain_id));
  json chain = loaded ? std::move(*loaded) : json::object();
  if (chain.value("status", "") == "waiting") {
    state.Delete(DueKey(p, chain.value("ack_by", int64_t{0}), chain_id));
  }
  const int64_t at = rec.occurred_at();
  if (rec.body_type() == fb::Body::DutyPaged) {
    const auto* b = rec.body_as_DutyPaged();
    if (!loaded) {
      std::vector<std::string> order;
      if (b->order()) {
        for (const auto* s : *b->order()) order.push_back(s->str());
      }
      chain = {{"ticket_id", Str(b->ticket_id())},
               {"chain_id", chain_id},
               {"subscription", Str(b->subscription())},
               {"roster", Str(b->roster())},
               {"roster_version", b->roster_version()},
               {"shift", Str(b->shift())},
               {"order", order},
               {"ack_within", b->ack_by() - at},
               {"cause_id", Str(b->cause_id())},
               {"cause_type", Str(b->cause_type())},
               {"title", Str(b->title())},
               {"text", Str(b->text())},
               {"subject", Str(rec.subject())},
               {"jurisdiction", Str(rec.jurisdiction())},
               {"correlation", Str(rec.correlation_id())},
               {"started_at", at},
               {"pages", json::array()}};
    }
    chain["status"] = "waiting";
    chain["position"] = b->position();
    chain["person"] = Str(b->person());
    chain["ack_by"] = b->ack_by();
    chain["pages"].push_back({{"id", Str(rec.id())},
                              {"position", b->position()},
                              {"person", Str(b->person())},
                              {"at", at}});
    state.Put(PageKey(p, Str(rec.id())), chain_id);
    state.Put(DueKey(p, b->ack_by(), chain_id), "");
  } else if (rec.body_type() == fb::Body::PageAcknowledged) {
    const auto* b = rec.body_as_PageAcknowledged();
    chain["status"] = "acknowledged";
    chain["acknowledged_by"] = Str(b->person());
    chain["acknowledged_at"] = at;
    chain["acknowledged_via"] = Str(b->via());
  } else {
    chain["status"] = "exhausted";
  }
  state.Put(ChainKey(p, chain_id), chain.dump());
  return Status::Ok();
}

}  // namespace closeloop::engine::duty
