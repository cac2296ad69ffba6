// The shipped workflows pass `closeloop check` with no diagnostic at all, alone (as each
// WorkflowDeployed compiles them) and as one set, and `closeloop explain` draws each loop.
#include <doctest/doctest.h>

#include "dsl/compile.h"
#include "workflows/tests/city.h"

namespace closeloop::workflows {
namespace {

std::string Path(const std::string& relative) {
  return std::string(CLOSELOOP_SOURCE_DIR) + "/" + relative;
}

TEST_CASE("every shipped workflow passes check on its own with no diagnostic, warnings included") {
  auto files = ShippedWorkflows();
  // grid_report.wf joined the eight; accident_report.wf and accident_investigation.wf the nine
  REQUIRE(files.size() == 11);
  for (const auto& f : files) {
    std::string out;
    CAPTURE(f);
    CHECK(dsl::RunCheck({Path(f)}, &out) == 0);
    CHECK(out == "");
  }
}

TEST_CASE(
    "every verb a shipped workflow uses declares what it takes, with the accountability forms, "
    "reasons and extension days the issue asks for") {
  std::vector<std::string> paths;
  for (const auto& f : ShippedWorkflows()) paths.push_back(Path(f));
  std::vector<dsl::SourceFile> sources;
  auto result = dsl::CompileFiles(paths, &sources);
  REQUIRE(result.ok());
  REQUIRE(result->ok());
  const dsl::Program& p = *result->program;
  for (const auto& w : p.workflows) {
    for (const auto& st : w.states) {
      for (const auto& tr : st.transitions) {
        if (tr.trigger != dsl::TriggerKind::kVerb) continue;
        CAPTURE(w.name);
        CAPTURE(tr.verb);
        const dsl::VerbDecl* decl = w.FindVerb(tr.verb);
        REQUIRE(decl != nullptr);
        CHECK(!decl->title_en.empty());
        CHECK(!decl->title_zh.empty());
        for (const auto& f : decl->fields) {
          CAPTURE(f.name);
          CHECK(!f.title_zh.empty());
        }
      }
    }
  }
  auto required = [&](const char* wf, const char* verb, const char* field) {
    const dsl::VerbDecl* d = p.Find(wf)->FindVerb(verb);
    REQUIRE(d != nullptr);
    const dsl::VerbField* f = d->FindField(field);
    REQUIRE(f != nullptr);
    CHECK(f->required);
    return f;
  };
  required("hazard_disposal", "dismiss", "reason");
  required("hazard_disposal", "return", "reason");
  required("hazard_disposal", "report_dereliction", "reason");
  const dsl::VerbField* decision = required("oversight_case", "record_decision", "decision");
  CHECK(decision->kind == dsl::FieldKind::kChoice);
  // The form offers exactly the decisions the fact `accountability` may take (but "pending").
  const dsl::FactDecl* accountability = p.Find("oversight_case")->FindFact("accountability");
  std::vector<std::string> offered, allowed;
  for (const auto& c : decision->choices) offered.push_back(c.value);
  for (const auto& v : accountability->enum_values) {
    if (v != "pending") allowed.push_back(v);
  }
  CHECK(offered == allowed);
  // Extension days are bounded by each workflow's own extensions rule.
  for (const auto& w : p.workflows) {
    const dsl::VerbDecl* d = w.FindVerb("request_extension");
    if (d == nullptr) continue;
    CAPTURE(w.name);
    const dsl::VerbField* days = d->FindField("days");
    REQUIRE(days != nullptr);
    CHECK(days->required);
    CHECK(days->bounded_above);
    CHECK(days->max == static_cast<double>(w.extensions.max_each.count));
  }
}

TEST_CASE(
    "the shipped workflows checked together have no diagnostic and chain only to each other") {
  std::vector<std::string> paths;
  for (const auto& f : ShippedWorkflows()) paths.push_back(Path(f));
  std::vector<dsl::SourceFile> sources;
  auto result = dsl::CompileFiles(paths, &sources);
  REQUIRE(result.ok());
  CHECK(result->diagnostics.empty());
  REQUIRE(result->ok());
  const dsl::Program& p = *result->program;
  for (const auto& w : p.workflows) {
    for (const auto& target : w.chains_to) {
      CAPTURE(w.name);
      CHECK(p.Find(target) != nullptr);
    }
  }
  // Every loop has its workflow; escalation in every loop can reach the inspectors.
  for (const char* name : {"alarm_response", "hazard_disposal", "enforcement_case",
                           "oversight_case", "incident_response", "service_request",
                           "periodic_inspection", "key_enforcement", "grid_report",
                           "accident_report", "accident_investigation"}) {
    const dsl::Workflow* w = p.Find(name);
    REQUIRE_MESSAGE(w != nullptr, name);
    if (std::string(name) != "oversight_case") {
      bool reaches = Has(w->chains_to, "oversight_case");
      for (const auto& t : w->chains_to)
        reaches = reaches || Has(p.Find(t)->chains_to, "oversight_case");
      CHECK_MESSAGE(reaches, name << " never reaches the discipline inspectors");
    }
  }
}

TEST_CASE("explain draws every loop as a state diagram with its states and the chain entry") {
  for (const auto& f : ShippedWorkflows()) {
    std::string out;
    CAPTURE(f);
    REQUIRE(dsl::RunExplain({Path(f)}, dsl::ExplainFormat::kMermaid, &out) == 0);
    CHECK(Contains(out, "stateDiagram-v2"));
    CHECK(Contains(out, "--> [*]"));  // every loop closes
  }
  std::string text;
  REQUIRE(dsl::RunExplain({Path("workflows/incident_response.wf")}, dsl::ExplainFormat::kText,
                          &text) == 0);
  CHECK(Contains(text, "dispatch resources"));
  CHECK(Contains(text, "route to kind \"emergency_management\"\n"));
  std::string hazard;
  REQUIRE(dsl::RunExplain({Path("workflows/hazard_disposal.wf")}, dsl::ExplainFormat::kText,
                          &hazard) == 0);
  CHECK(Contains(hazard, "fallback kind \"safety_office\"\n"));  // no city's department id
}

}  // namespace
}  // namespace closeloop::workflows
