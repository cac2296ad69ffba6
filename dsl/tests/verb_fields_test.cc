// Verbs and their fields: the declaration compiles to what the engine and the API check a
// command against, and CheckCommandFields names the first field a command gets wrong.
#include "dsl/verb_fields.h"

#include <doctest/doctest.h>

#include "dsl/compile.h"

namespace closeloop::dsl {
namespace {

constexpr const char* kSource = R"(workflow review version 1 loop violation
fact accountability: one of ("pending", "none", "admonishment") = "pending"
verb record_decision title "Record the decision" zh "作出问责决定"
  field decision: one of ("none" title "No accountability" zh "不予问责",
                          "admonishment" title "Admonishment" zh "诫勉")
      required title "Decision" zh "问责方式"
  field reason: text required title "Facts and grounds" zh "事实与依据"
  field fine: number from 0 to 1000 title "Fine" zh "罚款"
verb request_extension title "Request an extension" zh "申请延期"
  field days: working days required title "Working days" zh "延期工作日"
start on chain enter investigating
state investigating
  limit 20 working days
  on request_extension by inspector
  on approve_extension by head
  on record_decision by inspector when event.reason != ""
    -> decided, set accountability = event.fields["decision"]
state decided terminal
extensions at most 1, each at most 10 working days
)";

TEST_CASE("a verb's declaration compiles with its kinds, choices, labels and bounds") {
  CompileResult r = Compile({{"review.wf", kSource}});
  REQUIRE_MESSAGE(r.ok(), FormatDiagnostics({{"review.wf", kSource}}, r.diagnostics));
  const Workflow& w = *r.program->Find("review");
  const VerbDecl* d = w.FindVerb("record_decision");
  REQUIRE(d != nullptr);
  CHECK_FALSE(d->builtin);
  CHECK(d->title_zh == "作出问责决定");
  REQUIRE(d->fields.size() == 3);
  CHECK(d->fields[0].kind == FieldKind::kChoice);
  CHECK(d->fields[0].required);
  CHECK(d->fields[0].choices[1].title_zh == "诫勉");
  CHECK(d->fields[2].kind == FieldKind::kNumber);
  CHECK(d->fields[2].bounded_above);
  CHECK(d->fields[2].max == 1000);
  const VerbDecl* ext = w.FindVerb("request_extension");
  REQUIRE(ext != nullptr);
  CHECK(ext->builtin);
  // No bound of its own: the workflow's extensions rule bounds it.
  CHECK(ext->fields[0].bounded_above);
  CHECK(ext->fields[0].max == 10);
  CHECK(w.FindVerb("approve_extension") == nullptr);  // used, not declared: takes anything
}

TEST_CASE("a command is checked field by field and the first problem names its field") {
  CompileResult r = Compile({{"review.wf", kSource}});
  REQUIRE(r.ok());
  const Workflow& w = *r.program->Find("review");
  const VerbDecl& d = *w.FindVerb("record_decision");
  auto problem = [&](const CommandValues& v) { return CheckCommandFields(d, v); };
  CHECK_FALSE(problem({{"decision", {"none"}}, {"reason", {"facts"}}}).has_value());
  auto missing = problem({{"decision", {"none"}}});
  REQUIRE(missing);
  CHECK(missing->field == "reason");
  CHECK(missing->message == "reason: required by record_decision");
  auto choice = problem({{"decision", {"a stern look"}}, {"reason", {"x"}}});
  REQUIRE(choice);
  CHECK(choice->field == "decision");
  CHECK(choice->message.find("one of none, admonishment") != std::string::npos);
  auto range = problem({{"decision", {"none"}}, {"reason", {"x"}}, {"fine", {"1000.5"}}});
  REQUIRE(range);
  CHECK(range->field == "fine");
  auto nan = problem({{"decision", {"none"}}, {"reason", {"x"}}, {"fine", {"lots"}}});
  REQUIRE(nan);
  CHECK(nan->message == "fine: a number");
  auto stray = problem({{"decision", {"none"}}, {"reason", {"x"}}, {"days", {"3"}}});
  REQUIRE(stray);
  CHECK(stray->field == "days");

  const VerbDecl& ext = *w.FindVerb("request_extension");
  CHECK_FALSE(CheckCommandFields(ext, {{"days", {"10"}}}).has_value());
  auto too_many = CheckCommandFields(ext, {{"days", {"11"}}});
  REQUIRE(too_many);
  CHECK(too_many->message == "days: at most 10 working days");
  CHECK(CheckCommandFields(ext, {{"days", {"2.5"}}})->message ==
        "days: a whole number of working days");
  CHECK(IsCustomField("decision"));
  CHECK_FALSE(IsCustomField("reason"));
}

TEST_CASE("an attachments field takes only uploaded files' references, each once") {
  constexpr const char* kEvidence = R"(workflow fix version 1 loop prevention
verb submit_evidence title "Submit evidence"
  field evidence: attachments required title "Photos"
start on chain enter rectifying
state rectifying
  on submit_evidence by assignee -> done
state done terminal
)";
  CompileResult r = Compile({{"fix.wf", kEvidence}});
  REQUIRE_MESSAGE(r.ok(), FormatDiagnostics({{"fix.wf", kEvidence}}, r.diagnostics));
  const VerbDecl& d = *r.program->Find("fix")->FindVerb("submit_evidence");
  const std::string ref = "sha256:" + std::string(64, 'a');
  CHECK_FALSE(CheckCommandFields(d, {{"evidence", {ref}}}).has_value());
  auto none = CheckCommandFields(d, {});
  REQUIRE(none);
  CHECK(none->message == "evidence: required by submit_evidence");
  for (const std::string& bad : {std::string("https://x/1.jpg"), "sha256:" + std::string(63, 'a'),
                                 "sha256:" + std::string(64, 'A'), "sha1:" + std::string(64, 'a'),
                                 "sha256:" + std::string(63, 'a') + "g"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsAttachmentRef(bad));
    auto p = CheckCommandFields(d, {{"evidence", {bad}}});
    REQUIRE(p);
    CHECK(p->field == "evidence");
    CHECK(p->message.find("an uploaded file's reference") != std::string::npos);
  }
  CHECK(IsAttachmentRef(ref));
  auto twice = CheckCommandFields(d, {{"evidence", {ref, ref}}});
  REQUIRE(twice);
  CHECK(twice->message == "evidence: the file " + ref + " is listed twice");
  CHECK(CheckCommandFields(d, {{"evidence", std::vector<std::string>(21, ref)}})->message ==
        "evidence: at most 20 files");
}

TEST_CASE("the checker refuses a field read that the verb does not declare, and a bad kind") {
  const char* reads = R"(workflow w version 1 loop request
verb accept
  field note: text
start on ServiceRequest enter a
state a
  limit 7 working days
  on accept by assignee when event.reason != "" -> b
state b terminal
)";
  CompileResult r = Compile({{"w.wf", reads}});
  CHECK_FALSE(r.ok());
  REQUIRE(!r.diagnostics.empty());
  CHECK(r.diagnostics[0].code == "E082");

  const char* slot = R"(workflow w version 1 loop request
verb accept
  field days: text
start on ServiceRequest enter a
state a
  limit 7 working days
  on accept by assignee -> b
state b terminal
)";
  r = Compile({{"w.wf", slot}});
  CHECK_FALSE(r.ok());
  REQUIRE(!r.diagnostics.empty());
  CHECK(r.diagnostics[0].code == "E081");
}

}  // namespace
}  // namespace closeloop::dsl
