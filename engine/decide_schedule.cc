// Periodic duties: a schedule opens one ticket per member of a reference table for each
// occurrence that a clock record passes (Taicang's "1+2+3": monthly self-inspection, ...).
#include <date/date.h>

#include "engine/decide.h"
#include "engine/env.h"
#include "events/partition.h"

namespace closeloop::engine {
namespace {

using dsl::Value;

// `member.NAME` for an enterprise row.
Value EnterpriseField(const Enterprise& e, std::string_view name) {
  if (name == "id") return Value::String(e.id);
  if (name == "name" || name == "name_zh") return Value::String(e.name_zh);
  if (name == "name_en") return Value::String(e.name_en);
  if (name == "district") return Value::String(e.district);
  if (name == "jurisdiction") return Value::String(e.jurisdiction);
  if (name == "industry") return Value::String(e.industry);
  if (name == "scale") return Value::String(e.scale);
  if (name == "colour" || name == "risk_colour")
    return Value::String(std::string(RiskColourName(e.risk_colour)));
  if (name == "key_enterprise") return Value::Bool(e.key_enterprise);
  if (name == "safety_officers") return Value::Int(e.safety_officers);
  if (name == "park") return Value::String(e.park);
  if (name == "active") return Value::Bool(true);  // the directory lists active enterprises only
  return Value::Null();
}

// The instants of `s` in (from, to], local time on `cal`, oldest first; at most 36.
std::vector<int64_t> Occurrences(const dsl::Schedule& s, const Calendar& cal, int64_t from,
                                 int64_t to) {
  std::vector<int64_t> out;
  if (s.every_months == 0 || to <= from) return out;
  date::year_month_day first{cal.LocalDay(from)};
  date::year_month_day last{cal.LocalDay(to)};
  auto ym = first.year() / first.month();
  const auto end = last.year() / last.month();
  const int64_t day_start_offset = static_cast<int64_t>(cal.hours().front().start_minute) * 60000;
  for (int guard = 0; ym <= end && guard < 36 * 12; ym += date::months{1}, ++guard) {
    if ((static_cast<unsigned>(ym.month()) - 1) % s.every_months != 0) continue;
    date::sys_days day{ym / date::day{s.day}};
    // Local midnight of `day` is its first opening less the opening's minute of the day.
    int64_t at =
        cal.OpeningOf(day) - day_start_offset + static_cast<int64_t>(s.minute_of_day) * 60000;
    if (at > from && at <= to) out.push_back(at);
    if (out.size() >= 36) break;
  }
  return out;
}

}  // namespace

Status DecideSchedules(Step& step) {
  // The first clock record starts the calendar; duties are not back-filled before it.
  if (step.previous_now() <= 0) return Status::Ok();
  for (const dsl::Workflow* wf : step.world().LatestAll()) {
    for (const auto& s : wf->schedules) {
      if (s.member_table != "enterprises") continue;  // the only member table modelled so far
      const Calendar& cal = step.world().CalendarFor(wf->calendar);
      for (int64_t at : Occurrences(s, cal, step.previous_now(), step.now())) {
        for (const Enterprise* e : step.world().reference().FindEnterprises({})) {
          EvalEnv env(&step.input(), nullptr, at);
          env.SetMember([e](std::string_view name) { return EnterpriseField(*e, name); });
          if (s.filter && !dsl::Evaluate(*s.filter, env).truthy()) continue;
          std::map<std::string, Value> facts;
          for (const auto& f : wf->facts) {
            if (!f.builtin) facts[f.name] = f.initial;
          }
          env.SetProvisional(&facts);
          std::string subject = e->id, jurisdiction = e->jurisdiction;
          for (const auto& a : s.assignments) {
            Value v = dsl::Evaluate(a.value, env);
            if (a.fact == "subject" && v.type() == dsl::ValueType::kString) {
              subject = v.as_string();
            } else if (a.fact == "jurisdiction" && v.type() == dsl::ValueType::kString) {
              jurisdiction = v.as_string();
            } else if (AcceptsFact(*wf, a.fact, v)) {
              facts[a.fact] = std::move(v);
            }
          }
          // Each partition opens the duties of its own subjects.
          if (events::PartitionForKey(subject, step.partitions()) != step.partition()) continue;
          OpenRequest req;
          req.wf = wf;
          req.initial_state = s.initial_state;
          req.facts = std::move(facts);
          req.subject = subject;
          req.jurisdiction = jurisdiction;
          req.trigger = "schedule";
          CL_ASSIGN_OR_RETURN(std::string id, OpenTicket(step, req));
          (void)id;
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace closeloop::engine
