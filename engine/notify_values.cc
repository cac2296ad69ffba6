#include "engine/notify_values.h"

#include "base/time_text.h"
#include "events/engine_record.h"
#include "events/record.h"

namespace closeloop::engine {
namespace {

using events::Str;

bool Matches(const std::set<std::string, std::less<>>& allowed, std::string_view value) {
  return allowed.empty() || allowed.count(value) > 0;
}

std::string DepartmentName(const World& world, const std::string& id, const std::string& lang) {
  const Department* d = world.reference().FindDepartment(id);
  if (d == nullptr) return id;
  return lang == "en" ? d->name_en : d->name_zh;
}

}  // namespace

NotifyFacts NotifyFactsOf(const fb::Record& rec, const Ticket& t) {
  NotifyFacts f;
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
    case fb::Body::TicketAssigned:
      f.department = Str(rec.body_as_TicketAssigned()->department());
      f.reason = Str(rec.body_as_TicketAssigned()->reason());
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
  if (f.department.empty()) f.department = t.lead;
  if (f.deadline_at == 0) f.deadline_at = t.deadline_at;
  return f;
}

bool SubscriptionMatches(const Subscription& sub, std::string_view type, const Ticket& t,
                         std::string_view department) {
  return Matches(sub.types, type) && Matches(sub.workflows, t.workflow) &&
         Matches(sub.states, t.state) && Matches(sub.departments, department) &&
         Matches(sub.severities, t.severity);
}

std::map<std::string, std::string> NotifyValues(const fb::Record& rec, const Ticket& t,
                                                const NotifyFacts& facts, const World& world,
                                                const std::string& language,
                                                const std::string& zone) {
  const std::string ticket_id = Str(events::EngineTicketId(rec));
  return {{"ticket_id", ticket_id},
          {"record_id", Str(rec.id())},
          {"record_type", std::string(events::BodyName(rec.body_type()))},
          {"workflow", t.workflow},
          {"state", t.state},
          {"severity", t.severity},
          {"title", t.title},
          {"subject", t.subject},
          {"what", t.what},
          {"where", t.where},
          {"department", facts.department},
          {"department_name", DepartmentName(world, facts.department, language)},
          {"lead_department", t.lead},
          {"lead_department_name", DepartmentName(world, t.lead, language)},
          {"rule", facts.rule},
          {"reason", facts.reason},
          {"level", facts.level},
          {"deadline", facts.deadline_at != 0 ? FormatTimeIn(facts.deadline_at, zone) : ""}};
}

}  // namespace closeloop::engine
