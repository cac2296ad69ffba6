#include "engine/outbox.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "base/time_text.h"
#include "engine/keys.h"
#include "engine/notify_rules.h"
#include "engine/notify_values.h"
#include "events/engine_record.h"
#include "events/json_codec.h"
#include "events/record.h"

namespace closeloop::engine::outbox {
namespace {

using nlohmann::json;

using events::Str;

std::string JsonEscape(const std::string& v) {
  std::string quoted = json(v).dump();
  return quoted.substr(1, quoted.size() - 2);
}

std::string FormEscape(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// A roster person's address for `channel`, or "" with the reason in *unresolved.
std::string PersonAddress(const World& world, const std::string& roster_id,
                          const std::string& person_id, bool email, std::string* unresolved) {
  const RosterTable* rosters = world.rosters();
  const Roster* roster = rosters ? rosters->Find(roster_id) : nullptr;
  const RosterPerson* person = roster ? roster->Person(person_id) : nullptr;
  std::string a = person == nullptr ? "" : email ? person->email : person->phone;
  if (a.empty()) {
    if (!unresolved->empty()) *unresolved += "; ";
    *unresolved += person == nullptr ? "no person '" + person_id + "' in roster '" + roster_id + "'"
                                     : std::string("no ") + (email ? "e-mail" : "phone") +
                                           " for '" + person_id + "' of roster '" + roster_id + "'";
  }
  return a;
}

// The addresses a subscription's recipients resolve to (in order, without repeats), or
// why none did. A roster resolves to the person on duty at `now`.
std::vector<std::string> Resolve(const Subscription& sub, const World& world,
                                 const std::string& department, const std::string& lead,
                                 int64_t now, std::string* unresolved) {
  const NotifyTable& table = *world.notify();
  std::vector<std::string> out;
  const bool email = sub.channel == NotifyChannel::kEmail;
  auto add = [&](const std::string& a) {
    if (!a.empty() && std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  };
  for (const auto& r : sub.to) {
    if (r.kind == NotifyRecipient::Kind::kAddress) {
      add(r.address);
      continue;
    }
    if (r.kind == NotifyRecipient::Kind::kRoster) {
      const Roster* roster = world.rosters() ? world.rosters()->Find(r.roster) : nullptr;
      if (roster == nullptr) continue;  // World refuses a subscription naming no roster
      const Shift& shift = roster->ShiftAt(now, world.CalendarFor(roster->calendar));
      add(PersonAddress(world, r.roster, shift.order.front(), email, unresolved));
      continue;
    }
    const bool head = r.kind == NotifyRecipient::Kind::kDepartmentHead;
    const std::string& dept = head ? department : lead;
    const NotifyContact* c = table.ContactOf(dept);
    std::string a = c == nullptr ? ""
                    : head       ? (email ? c->head_email : c->head_phone)
                                 : (email ? c->desk_email : c->desk_phone);
    if (a.empty()) {
      if (!unresolved->empty()) *unresolved += "; ";
      *unresolved += std::string("no ") + (email ? "e-mail" : "phone") + " for the " +
                     (head ? "head" : "duty desk") + " of '" + dept + "' in contacts";
    }
    add(a);
  }
  return out;
}

// Every entry under `prefix` (a tag's), as its delivery id and value.
Status ForEachTagged(const StateReader& state, const std::string& prefix, const EntryFn& fn) {
  return state.Scan(prefix, keys::PrefixEnd(prefix), [&](std::string_view k, std::string_view v) {
    return fn(k.substr(prefix.size()), v);
  });
}

}  // namespace

std::string PendingKey(uint32_t p, std::string_view id) { return keys::Tagged(p, "nb", id); }
std::string ProgressKey(uint32_t p, std::string_view id) { return keys::Tagged(p, "nd", id); }

bool IsOutboxKey(std::string_view key) {
  if (key.size() < 7) return false;
  std::string_view tag = key.substr(4, 3);
  return tag == std::string_view("nb\0", 3) || tag == std::string_view("nd\0", 3);
}

std::string DeliveryId(std::string_view record_id, std::string_view subscription_id) {
  return std::string(record_id) + "." + std::string(subscription_id);
}

Status ForEachPending(const StateReader& state, uint32_t p, const EntryFn& fn) {
  return ForEachTagged(state, keys::Tagged(p, "nb", ""), fn);
}

Status ForEachProgress(const StateReader& state, uint32_t p, const EntryFn& fn) {
  return ForEachTagged(state, keys::Tagged(p, "nd", ""), fn);
}

Result<std::optional<std::string>> ReadProgress(const StateReader& state, uint32_t p,
                                                std::string_view delivery_id) {
  return state.Get(ProgressKey(p, delivery_id));
}

OutboxWriter::OutboxWriter() = default;
OutboxWriter::~OutboxWriter() = default;

namespace {

// The SMS gateway's requests for `to`, each with the message in the gateway's template.
json GatewayRequests(const Subscription& sub, std::map<std::string, std::string> v,
                     const std::vector<std::string>& to, const std::string& message) {
  json requests = json::array();
  auto escape = sub.gateway_content_type == "application/json" ? &JsonEscape : &FormEscape;
  for (const auto& phone : to) {
    v["phone"] = phone;
    v["message"] = message;
    requests.push_back({{"phone", phone},
                        {"url", sub.gateway_url},
                        {"content_type", sub.gateway_content_type},
                        {"body", sub.gateway_body.Render(v, escape)}});
  }
  return requests;
}

}  // namespace

Status OutboxWriter::Write(const std::vector<std::string>& records, TicketTable& tickets,
                           int64_t now) {
  const World& world = tickets.world();
  const NotifyTable* table = world.notify();
  if (table == nullptr || table->subscriptions().empty()) return Status::Ok();
  for (const std::string& bytes : records) {
    CL_ASSIGN_OR_RETURN(const fb::Record* rec, events::VerifyRecord(bytes));
    const std::string type(events::BodyName(rec->body_type()));
    const std::string ticket_id = Str(events::EngineTicketId(*rec));
    std::optional<Ticket> ticket;
    if (!ticket_id.empty()) {
      CL_ASSIGN_OR_RETURN(ticket, tickets.Load(ticket_id));
    }
    Ticket t = ticket ? *ticket : Ticket();
    const NotifyFacts facts = NotifyFactsOf(*rec, t);
    const std::string& department = facts.department;
    json record_json;  // rendered once per record, when a subscription matches
    auto record_as_json = [&]() -> Status {
      if (!record_json.is_null()) return Status::Ok();
      if (!codec_) codec_ = std::make_unique<events::JsonCodec>();
      CL_ASSIGN_OR_RETURN(std::string text, codec_->ToJson(bytes));
      record_json = json::parse(text);
      record_json.erase("prev_hash");  // set by the log after this commit; zeros here
      return Status::Ok();
    };
    // A duty page (engine/duty.h) goes to the person it names, through its subscription's
    // channel, with the message the page carries.
    if (rec->body_type() == fb::Body::DutyPaged) {
      const auto* page = rec->body_as_DutyPaged();
      const Subscription* sub = nullptr;
      for (const auto& s : table->subscriptions()) {
        if (s.id == page->subscription()->string_view()) sub = &s;
      }
      CL_RETURN_IF_ERROR(record_as_json());
      const std::string id = DeliveryId(Str(rec->id()), Str(page->subscription()));
      json d = {{"id", id},
                {"subscription", Str(page->subscription())},
                {"table_version", table->version()},
                {"record_id", Str(rec->id())},
                {"record_type", type},
                {"ticket_id", ticket_id},
                {"channel", sub ? NotifyChannelName(sub->channel) : "email"},
                {"language", sub ? sub->language : "zh"},
                {"created_at", now},
                {"subject", Str(page->title())},
                {"body", Str(page->text())},
                {"record", record_json},
                {"urgent", true},
                {"not_before", 0},
                {"ack", true}};
      std::string unresolved;
      std::vector<std::string> to;
      if (sub == nullptr) {
        unresolved = "subscription '" + Str(page->subscription()) + "' is no longer in the table";
      } else {
        std::string a = PersonAddress(world, Str(page->roster()), Str(page->person()),
                                      sub->channel == NotifyChannel::kEmail, &unresolved);
        if (!a.empty()) to.push_back(a);
      }
      d["to"] = to;
      if (to.empty()) d["unresolved"] = unresolved;
      if (sub != nullptr && sub->channel == NotifyChannel::kSms) {
        const Roster* roster =
            world.rosters() ? world.rosters()->Find(Str(page->roster())) : nullptr;
        const std::string zone = world.CalendarFor(roster ? roster->calendar : "").time_zone();
        d["requests"] =
            GatewayRequests(*sub, NotifyValues(*rec, t, facts, world, sub->language, zone), to,
                            d["body"].get<std::string>());
      }
      tickets.state().Put(PendingKey(tickets.partition(), id), d.dump());
    }
    for (const Subscription& sub : table->subscriptions()) {
      // A paging subscription's records are sent as pages (above), decided by the engine.
      if (sub.ack_within_ms > 0 || !SubscriptionMatches(sub, type, t, department)) continue;
      CL_RETURN_IF_ERROR(record_as_json());
      // The recipient department's calendar: its working hours hold routine messages back,
      // and the deadline is written in its zone.
      const NotifyContact* contact = table->ContactOf(department);
      std::string cal_name = contact != nullptr ? contact->calendar : "";
      if (cal_name.empty()) {
        const dsl::Workflow* wf = world.Find(t.workflow, t.workflow_version);
        if (wf != nullptr) cal_name = wf->calendar;
      }
      const Calendar& cal = world.CalendarFor(cal_name);
      std::map<std::string, std::string> v =
          NotifyValues(*rec, t, facts, world, sub.language, cal.time_zone());
      const std::string id = DeliveryId(Str(rec->id()), sub.id);
      json d = {{"id", id},
                {"subscription", sub.id},
                {"table_version", table->version()},
                {"record_id", Str(rec->id())},
                {"record_type", type},
                {"ticket_id", ticket_id},
                {"channel", NotifyChannelName(sub.channel)},
                {"language", sub.language},
                {"created_at", now},
                {"subject", sub.subject.Render(v)},
                {"body", sub.body.Render(v)},
                {"record", record_json}};
      // Quiet hours: routine messages wait for the recipient department's working hours.
      const bool urgent = sub.immediate || t.loop == "incident" || t.severity == "major";
      int64_t not_before = 0;
      if (!urgent && !cal.IsWorkingTime(now)) not_before = cal.NextWorkingInstant(now);
      d["urgent"] = urgent;
      d["not_before"] = not_before;
      if (sub.channel == NotifyChannel::kWebhook) {
        d["url"] = sub.url;
        d["secret"] = sub.secret;
      } else {
        std::string unresolved;
        std::vector<std::string> to = Resolve(sub, world, department, t.lead, now, &unresolved);
        d["to"] = to;
        if (to.empty()) d["unresolved"] = unresolved;
        if (sub.channel == NotifyChannel::kSms) {
          d["requests"] = GatewayRequests(sub, v, to, d["body"].get<std::string>());
        }
      }
      tickets.state().Put(PendingKey(tickets.partition(), id), d.dump());
    }
  }
  return Status::Ok();
}

}  // namespace closeloop::engine::outbox
