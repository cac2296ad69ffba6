#include "engine/outbox.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "base/time_text.h"
#include "engine/keys.h"
#include "engine/notify_rules.h"
#include "events/engine_record.h"
#include "events/json_codec.h"
#include "events/record.h"

namespace closeloop::engine::outbox {
namespace {

using nlohmann::json;

std::string Key(uint32_t p, std::string_view tag, std::string_view id) {
  std::string k = keys::Partition(p);
  k += tag;
  k += '\0';
  k += id;
  return k;
}

std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

// What a record says beyond its ticket: the department it concerns, and the values of the
// placeholders it carries.
struct RecordFacts {
  std::string department;
  std::string rule, reason, level;
  int64_t deadline_at = 0;
};

RecordFacts FactsOf(const fb::Record& rec) {
  RecordFacts f;
  switch (rec.body_type()) {
    case fb::Body::TicketRouted:
      f.department = Str(rec.body_as_TicketRouted()->lead_department());
      f.rule = Str(rec.body_as_TicketRouted()->rule());
      break;
    case fb::Body::TicketTransferred:
      f.department = Str(rec.body_as_TicketTransferred()->to_department());
      f.reason = Str(rec.body_as_TicketTransferred()->reason());
      break;
    case fb::Body::TicketReturned:
      f.department = Str(rec.body_as_TicketReturned()->to_department());
      f.reason = Str(rec.body_as_TicketReturned()->reason());
      break;
    case fb::Body::TicketSignedFor:
      f.department = Str(rec.body_as_TicketSignedFor()->department());
      break;
    case fb::Body::TicketEscalated: {
      const auto* e = rec.body_as_TicketEscalated();
      f.department = Str(e->to_department());
      f.rule = Str(e->rule());
      f.reason = Str(e->reason());
      f.level = std::to_string(e->level());
      break;
    }
    case fb::Body::TicketReminded:
      f.rule = Str(rec.body_as_TicketReminded()->rule());
      f.deadline_at = rec.body_as_TicketReminded()->deadline_at();
      break;
    case fb::Body::TicketOverdue:
      f.rule = Str(rec.body_as_TicketOverdue()->rule());
      f.deadline_at = rec.body_as_TicketOverdue()->deadline_at();
      break;
    case fb::Body::TicketTransitioned:
      f.rule = Str(rec.body_as_TicketTransitioned()->rule());
      break;
    case fb::Body::TicketChained:
      f.rule = Str(rec.body_as_TicketChained()->rule());
      f.reason = Str(rec.body_as_TicketChained()->reason());
      break;
    case fb::Body::TicketReopened:
      f.reason = Str(rec.body_as_TicketReopened()->reason());
      break;
    case fb::Body::CommandRejected:
      f.reason = Str(rec.body_as_CommandRejected()->message());
      break;
    default:
      break;
  }
  return f;
}

bool Matches(const std::set<std::string, std::less<>>& allowed, std::string_view value) {
  return allowed.empty() || allowed.count(value) > 0;
}

std::string DepartmentName(const World& world, const std::string& id, const std::string& lang) {
  const Department* d = world.reference().FindDepartment(id);
  if (d == nullptr) return id;
  return lang == "en" ? d->name_en : d->name_zh;
}

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

// The addresses a subscription's recipients resolve to (in order, without repeats), or
// why none did.
std::vector<std::string> Resolve(const Subscription& sub, const NotifyTable& table,
                                 const std::string& department, const std::string& lead,
                                 std::string* unresolved) {
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

}  // namespace

std::string PendingKey(uint32_t p, std::string_view id) { return Key(p, "nb", id); }
std::string PendingPrefix(uint32_t p) { return Key(p, "nb", ""); }
std::string ProgressKey(uint32_t p, std::string_view id) { return Key(p, "nd", id); }
std::string ProgressPrefix(uint32_t p) { return Key(p, "nd", ""); }

bool IsOutboxKey(std::string_view key) {
  if (key.size() < 7) return false;
  std::string_view tag = key.substr(4, 3);
  return tag == std::string_view("nb\0", 3) || tag == std::string_view("nd\0", 3);
}

std::string DeliveryId(std::string_view record_id, std::string_view subscription_id) {
  return std::string(record_id) + "." + std::string(subscription_id);
}

OutboxWriter::OutboxWriter() = default;
OutboxWriter::~OutboxWriter() = default;

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
    RecordFacts facts = FactsOf(*rec);
    const std::string department = facts.department.empty() ? t.lead : facts.department;
    json record_json;  // rendered once per record, when a subscription matches
    for (const Subscription& sub : table->subscriptions()) {
      if (!Matches(sub.types, type) || !Matches(sub.workflows, t.workflow) ||
          !Matches(sub.states, t.state) || !Matches(sub.departments, department) ||
          !Matches(sub.severities, t.severity)) {
        continue;
      }
      if (record_json.is_null()) {
        if (!codec_) codec_ = std::make_unique<events::JsonCodec>();
        CL_ASSIGN_OR_RETURN(std::string text, codec_->ToJson(bytes));
        record_json = json::parse(text);
        record_json.erase("prev_hash");  // set by the log after this commit; zeros here
      }
      std::map<std::string, std::string> v = {
          {"ticket_id", ticket_id},
          {"record_id", Str(rec->id())},
          {"record_type", type},
          {"workflow", t.workflow},
          {"state", t.state},
          {"severity", t.severity},
          {"title", t.title},
          {"subject", t.subject},
          {"what", t.what},
          {"where", t.where},
          {"department", department},
          {"department_name", DepartmentName(world, department, sub.language)},
          {"lead_department", t.lead},
          {"lead_department_name", DepartmentName(world, t.lead, sub.language)},
          {"rule", facts.rule},
          {"reason", facts.reason},
          {"level", facts.level}};
      // The recipient department's calendar: its working hours hold routine messages back,
      // and the deadline is written in its zone.
      const NotifyContact* contact = table->ContactOf(department);
      std::string cal_name = contact != nullptr ? contact->calendar : "";
      if (cal_name.empty()) {
        const dsl::Workflow* wf = world.Find(t.workflow, t.workflow_version);
        if (wf != nullptr) cal_name = wf->calendar;
      }
      const Calendar& cal = world.CalendarFor(cal_name);
      int64_t deadline = facts.deadline_at != 0 ? facts.deadline_at : t.deadline_at;
      v["deadline"] = deadline != 0 ? FormatTimeIn(deadline, cal.time_zone()) : "";

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
        std::vector<std::string> to = Resolve(sub, *table, department, t.lead, &unresolved);
        d["to"] = to;
        if (to.empty()) d["unresolved"] = unresolved;
        if (sub.channel == NotifyChannel::kSms) {
          json requests = json::array();
          auto escape = sub.gateway_content_type == "application/json" ? &JsonEscape : &FormEscape;
          for (const auto& phone : to) {
            std::map<std::string, std::string> g = v;
            g["phone"] = phone;
            g["message"] = d["body"].get<std::string>();
            requests.push_back({{"phone", phone},
                                {"url", sub.gateway_url},
                                {"content_type", sub.gateway_content_type},
                                {"body", sub.gateway_body.Render(g, escape)}});
          }
          d["requests"] = requests;
        }
      }
      tickets.state().Put(PendingKey(tickets.partition(), id), d.dump());
    }
  }
  return Status::Ok();
}

}  // namespace closeloop::engine::outbox
