// libFuzzer target over the whole pipeline: bytes -> one to three source files (split at
// NUL bytes) -> Compile -> FormatDiagnostics -> Explain in every format -> Evaluate every
// compiled expression against an Env whose values vary in type. Built with clang++ by
// dsl/CMakeLists.txt; run by CTest for a bounded time.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dsl/compile.h"

namespace {

using namespace closeloop::dsl;

// Answers every lookup, with a type chosen by the name, so evaluation meets mismatches.
class FuzzEnv : public Env {
 public:
  Value EventField(std::string_view n) const override { return Pick(n); }
  Value EventAttr(std::string_view, std::string_view k) const override { return Pick(k); }
  Value TicketFact(std::string_view n) const override { return Pick(n); }
  Value MemberField(std::string_view n) const override { return Pick(n); }
  Value Subject() const override { return Value::String("subject"); }
  int64_t Now() const override { return 1767225600000; }
  Value Recurrences(const Duration& w) const override { return Value::Int(w.count); }

 private:
  static Value Pick(std::string_view n) {
    switch (n.size() % 6) {
      case 0:
        return Value();
      case 1:
        return Value::Bool(n.size() % 2 == 0);
      case 2:
        return Value::Int(INT64_MAX - static_cast<int64_t>(n.size()));
      case 3:
        return Value::Double(-0.0);
      case 4:
        return Value::String(std::string(n));
      default:
        return Value::Of(Duration{static_cast<int64_t>(n.size()), DurationUnit::kHours, ""});
    }
  }
};

void EvalAll(const Workflow& w, const Env& env) {
  auto eval = [&](const Expr& e) { (void)Evaluate(e, env); };
  for (const StartRule& s : w.starts) {
    if (s.condition) eval(*s.condition);
    for (const Assignment& a : s.assignments) eval(a.value);
    if (s.dedup)
      for (const Expr& k : s.dedup->keys) eval(k);
  }
  if (w.routing)
    for (const RouteKey& k : w.routing->keys) eval(k.value);
  for (const State& st : w.states) {
    for (const TimeLimit& l : st.limits)
      if (l.condition) eval(*l.condition);
    for (const Transition& t : st.transitions) {
      if (t.guard) eval(*t.guard);
      for (const Effect& e : t.effects)
        if (e.kind == EffectKind::kSet) eval(e.value);
    }
  }
  for (const EscalationStep& s : w.escalation) {
    if (s.condition) eval(*s.condition);
    for (const Action& a : s.actions)
      for (const Assignment& m : a.mapping) eval(m.value);
  }
  for (const Schedule& s : w.schedules) {
    if (s.filter) eval(*s.filter);
    for (const Assignment& a : s.assignments) eval(a.value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<SourceFile> files;
  size_t start = 0;
  while (files.size() < 2) {
    size_t nul = input.find('\0', start);
    if (nul == std::string::npos) break;
    files.push_back({"f" + std::to_string(files.size()) + ".wf", input.substr(start, nul - start)});
    start = nul + 1;
  }
  files.push_back({"f" + std::to_string(files.size()) + ".wf", input.substr(start)});
  CompileResult r = Compile(files);
  std::string text = FormatDiagnostics(files, r.diagnostics);
  if (r.ok()) {
    for (auto f : {ExplainFormat::kText, ExplainFormat::kDot, ExplainFormat::kMermaid}) {
      text += Explain(*r.program, f);
    }
    FuzzEnv env;
    for (const Workflow& w : r.program->workflows) EvalAll(w, env);
  }
  return text.empty() && r.ok() && r.program->workflows.empty() ? 1 : 0;
}
