#include "dsl/program.h"

#include <algorithm>

namespace closeloop::dsl {

std::string_view LoopName(Loop loop) {
  switch (loop) {
    case Loop::kPrevention:
      return "prevention";
    case Loop::kViolation:
      return "violation";
    case Loop::kIncident:
      return "incident";
    case Loop::kRequest:
      return "request";
  }
  return "?";
}

const State* Workflow::FindState(std::string_view state_name) const {
  for (const State& s : states) {
    if (s.name == state_name) return &s;
  }
  return nullptr;
}

const FactDecl* Workflow::FindFact(std::string_view fact_name) const {
  for (const FactDecl& f : facts) {
    if (f.name == fact_name) return &f;
  }
  return nullptr;
}

const VerbDecl* Workflow::FindVerb(std::string_view verb_name) const {
  for (const VerbDecl& v : verb_decls) {
    if (v.name == verb_name) return &v;
  }
  return nullptr;
}

const ServiceDecl* Workflow::FindService(std::string_view code) const {
  for (const ServiceDecl& s : services) {
    if (s.code == code) return &s;
  }
  return nullptr;
}

const Clock* Workflow::ClockOf(std::string_view state) const {
  for (const Clock& c : clocks) {
    if (c.Covers(state)) return &c;
  }
  return nullptr;
}

bool Clock::Covers(std::string_view state) const {
  return std::find(states.begin(), states.end(), state) != states.end();
}

bool Clock::Pauses(std::string_view state) const {
  return std::find(paused.begin(), paused.end(), state) != paused.end();
}

const VerbField* VerbDecl::FindField(std::string_view field_name) const {
  for (const VerbField& f : fields) {
    if (f.name == field_name) return &f;
  }
  return nullptr;
}

std::string_view FieldKindName(FieldKind kind) {
  switch (kind) {
    case FieldKind::kText:
      return "text";
    case FieldKind::kYesNo:
      return "yes_no";
    case FieldKind::kNumber:
      return "number";
    case FieldKind::kWorkingDays:
      return "working_days";
    case FieldKind::kDepartment:
      return "department";
    case FieldKind::kAttachments:
      return "attachments";
    case FieldKind::kChoice:
      return "choice";
  }
  return "?";
}

const Workflow* Program::Find(std::string_view workflow_name) const {
  auto it = std::lower_bound(workflows.begin(), workflows.end(), workflow_name,
                             [](const Workflow& w, std::string_view n) { return w.name < n; });
  if (it == workflows.end() || it->name != workflow_name) return nullptr;
  return &*it;
}

}  // namespace closeloop::dsl
