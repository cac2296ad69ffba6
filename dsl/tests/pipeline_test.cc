// The pipeline end to end: what Compile() promises the engine and the app.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "dsl/compile.h"
#include "dsl/tests/corpus_util.h"

namespace closeloop::dsl {
namespace {

const char* kSmall =
    "workflow w version 3 loop request\n"
    "fact note: string\n"
    "start on ServiceRequest set note = event.description enter open\n"
    "state open\n  limit 2 working days\n  on close by assignee -> done\n"
    "  on progress by assignee set note = event.note\n"
    "state done terminal\n";

TEST_CASE("a valid source compiles to the program shape the engine reads") {
  CompileResult r = Compile({{"w.wf", kSmall}});
  REQUIRE(r.ok());
  REQUIRE(r.program->workflows.size() == 1);
  const Workflow& w = r.program->workflows[0];
  CHECK(w.name == "w");
  CHECK(w.version == 3);
  CHECK(w.loop == Loop::kRequest);
  CHECK(w.file == "w.wf");
  CHECK(w.calendar == "prc");
  CHECK(w.chain_entry_state == "open");
  REQUIRE(w.FindFact("note") != nullptr);
  CHECK(w.FindFact("returns")->builtin);
  CHECK(w.FindFact("severity")->initial == Value::String("unknown"));
  REQUIRE(w.starts.size() == 1);
  CHECK(w.starts[0].event_type == "ServiceRequest");
  CHECK(w.starts[0].initial_state == "open");
  const State* open = w.FindState("open");
  REQUIRE(open != nullptr);
  REQUIRE(open->limits.size() == 1);
  CHECK(open->limits[0].duration == Duration{2, DurationUnit::kWorkingDays, "prc"});
  REQUIRE(open->transitions.size() == 2);
  CHECK(open->transitions[0].rule == "open/close");
  CHECK(open->transitions[0].roles == std::vector<std::string>{"assignee"});
  CHECK(open->transitions[1].target.empty());
  CHECK(open->transitions[1].effects.at(0).kind == EffectKind::kSet);
  CHECK(r.program->Find("w") == &w);
  CHECK(r.program->Find("x") == nullptr);
}

TEST_CASE(
    "a service is declared by 'service CODE title', and a fact called service still "
    "opens a line of an expression") {
  const char* source =
      "workflow w version 1 loop request\n"
      "fact service: string\n"
      "service pothole title \"Pothole\" zh \"道路坑槽\"\n"
      "  description \"A hole\" group \"Streets\"\n"
      "start on ServiceRequest\n"
      "  set category = event.service_code,\n"
      "      service = event.service_code\n"
      "  enter open\n"
      "state open\n"
      "  on close by assignee when\n"
      "    service in [\"pothole\"] -> done\n"
      "state done terminal\n";
  CompileResult r = Compile({{"w.wf", source}});
  REQUIRE_MESSAGE(r.ok(), (r.diagnostics.empty() ? "" : r.diagnostics[0].message));
  const Workflow& w = r.program->workflows[0];
  REQUIRE(w.services.size() == 1);
  CHECK(w.services[0].code == "pothole");
  CHECK(w.services[0].title_zh == "道路坑槽");
  CHECK(w.services[0].group_en == "Streets");
  CHECK(w.starts[0].assignments.size() == 2);
  CHECK(w.FindState("open")->transitions[0].guard.has_value());
}

TEST_CASE(
    "a fallback names a kind of department instead of one city's department, and route to "
    "kind needs no fallback of its own") {
  auto compile = [](const std::string& route) {
    return Compile({{"w.wf",
                     "workflow w version 1 loop request\n"
                     "uses table t keys (category)\n"
                     "start on ServiceRequest enter open\n" +
                         route +
                         "\nstate open\n  on close by assignee -> done\n"
                         "state done terminal\n"}});
  };
  CompileResult by_table =
      compile("route by t (category = category) fallback kind \"safety_office\"");
  REQUIRE(by_table.ok());
  const Routing& r = *by_table.program->workflows[0].routing;
  CHECK(r.fallback == "safety_office");
  CHECK(r.fallback_is_kind);
  CHECK(Explain(*by_table.program, ExplainFormat::kText).find("fallback kind \"safety_office\"") !=
        std::string::npos);

  CompileResult alone = compile("route to kind \"discipline\"");
  REQUIRE(alone.ok());
  CHECK(alone.program->workflows[0].routing->kind == "discipline");
  CHECK(alone.program->workflows[0].routing->fallback == "discipline");
  CHECK(alone.program->workflows[0].routing->fallback_is_kind);

  CompileResult by_id = compile("route to kind \"discipline\" fallback \"nj.jw\"");
  REQUIRE(by_id.ok());
  CHECK(by_id.program->workflows[0].routing->fallback == "nj.jw");
  CHECK_FALSE(by_id.program->workflows[0].routing->fallback_is_kind);

  CompileResult empty = compile("route by t (category = category) fallback kind \"\"");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.diagnostics[0].code == "E063");
  CompileResult no_kind = compile("route to kind \"\"");
  REQUIRE_FALSE(no_kind.ok());
  CHECK(no_kind.diagnostics[0].code == "E063");
  CHECK(no_kind.diagnostics.size() == 1);
  CompileResult no_table_fallback = compile("route by t (category = category)");
  CHECK_FALSE(no_table_fallback.ok());  // a table's route still names its fallback
}

TEST_CASE("diagnostics print file, line, column, code, the source line and a caret") {
  std::vector<SourceFile> files = {{"bad.wf",
                                    "workflow w version 1 loop request\n"
                                    "start on Nope enter open\nstate open\n"}};
  CompileResult r = Compile(files);
  CHECK_FALSE(r.ok());
  CHECK(FormatDiagnostics(files, r.diagnostics) ==
        "bad.wf:2:10: error[E030]: unknown event type 'Nope'\n"
        "  start on Nope enter open\n"
        "           ^\n");
}

TEST_CASE("a source over 1 MiB is refused with E001 and not parsed") {
  std::string big(kMaxSourceBytes + 1, ' ');
  CompileResult r = Compile({{"big.wf", big}});
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].code == "E001");
}

TEST_CASE("warnings alone do not fail a compile") {
  std::string src = std::string(kSmall) + "role expert\n";
  CompileResult r = Compile({{"w.wf", src}});
  CHECK(r.ok());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].code == "W010");
}

TEST_CASE("compiling the same sources twice gives identical diagnostics and explain output") {
  for (const auto& c : testing::CorpusCases()) {
    CompileResult a = Compile(c.sources);
    CompileResult b = Compile(c.sources);
    CHECK(FormatDiagnostics(c.sources, a.diagnostics) ==
          FormatDiagnostics(c.sources, b.diagnostics));
    if (a.ok()) {
      for (auto f : {ExplainFormat::kText, ExplainFormat::kDot, ExplainFormat::kMermaid}) {
        CHECK(Explain(*a.program, f) == Explain(*b.program, f));
      }
    }
  }
}

TEST_CASE("explain formats parse by name and unknown ones are refused") {
  CHECK(*ParseExplainFormat("dot") == ExplainFormat::kDot);
  CHECK(*ParseExplainFormat("mermaid") == ExplainFormat::kMermaid);
  CHECK(*ParseExplainFormat("text") == ExplainFormat::kText);
  CHECK_FALSE(ParseExplainFormat("svg").ok());
}

TEST_CASE("RunCheck exits 0 when clean, 1 on an error, 2 when a file cannot be read") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(CLOSELOOP_BINARY_DIR) / "dsl_test_tmp";
  fs::create_directories(dir);
  std::ofstream(dir / "ok.wf") << kSmall;
  std::ofstream(dir / "bad.wf") << "workflow w version 1 loop nope\n";
  std::string out;
  CHECK(RunCheck({(dir / "ok.wf").string()}, &out) == 0);
  CHECK(out.empty());
  CHECK(RunCheck({(dir / "bad.wf").string()}, &out) == 1);
  CHECK(out.find("error[E010]") != std::string::npos);
  CHECK(RunCheck({(dir / "missing.wf").string()}, &out) == 2);
  CHECK(RunExplain({(dir / "ok.wf").string()}, ExplainFormat::kDot, &out) == 0);
  CHECK(out.rfind("digraph \"w\"", 0) == 0);
  CHECK(RunExplain({(dir / "bad.wf").string()}, ExplainFormat::kText, &out) == 1);
}

TEST_CASE("hostile inputs of 1 MiB compile in bounded time") {
  // Each is a shape that would be quadratic or recurse without bounds if handled naively.
  std::vector<std::string> inputs;
  std::string head = "workflow w version 1 loop request\nstart on ServiceRequest when ";
  auto fill = [](std::string s, const std::string& unit) {
    while (s.size() + unit.size() < kMaxSourceBytes) s += unit;
    return s;
  };
  inputs.push_back(fill(head, "("));
  inputs.push_back(fill(head + "true", " and true"));
  inputs.push_back(fill(head + "1", " + 1"));
  inputs.push_back(fill(head, "not "));
  inputs.push_back(fill("", "@ "));
  inputs.push_back(fill("", "\"unterminated\n"));
  inputs.push_back(fill("workflow w version 1 loop request\nstate s\n", "  on close by r -> s\n"));
  inputs.push_back(fill("workflow w version 1 loop request\n", "verb v\n"));
  inputs.push_back(fill("", "workflow w version 1 loop request\n"));
  inputs.push_back(fill("workflow w version 1 loop request\nstate s\n", "  on close -> s\n"));
  inputs.push_back(fill("workflow w version 1 loop request\n", "@x"));  // one 1 MiB line
  std::string states = "workflow w version 1 loop request\nstart on ServiceRequest enter s0\n";
  for (int i = 0; states.size() < kMaxSourceBytes - 100; ++i) {
    states += "state s" + std::to_string(i) + "\n  on close -> s" + std::to_string(i + 1) + "\n";
  }
  inputs.push_back(states);
  std::string chains = "workflow w version 1 loop request\nstate s\n  limit 1 day\n";
  for (int i = 0; chains.size() < kMaxSourceBytes - 100; ++i) {
    chains += "uses workflow x" + std::to_string(i) + "\nstep k" + std::to_string(i) +
              " at limit: chain x" + std::to_string(i) + " (category = category)\n";
  }
  inputs.push_back(chains);
  for (const std::string& in : inputs) {
    auto start = std::chrono::steady_clock::now();
    CompileResult r = Compile({{"big.wf", in}});
    std::string text = FormatDiagnostics({{"big.wf", in}}, r.diagnostics);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(in.substr(0, 60));
    CHECK(r.diagnostics.size() <= kMaxDiagnostics + 1);
    CHECK(text.size() < 100 * 1024);  // long lines are shown as a window, not whole
    CHECK(seconds < 10.0);  // generous: the point is "not quadratic", which would take hours
  }
}

}  // namespace
}  // namespace closeloop::dsl

namespace closeloop::dsl {
namespace {

TEST_CASE("the dsl module includes nothing from engine or connectors") {
  namespace fs = std::filesystem;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(CLOSELOOP_SOURCE_DIR) / "dsl")) {
    const auto ext = entry.path().extension();
    if (ext != ".h" && ext != ".cc") continue;
    std::string text = testing::ReadFile(entry.path());
    INFO(entry.path().string());
    CHECK(text.find("#include \"engine/") == std::string::npos);
    CHECK(text.find("#include \"connectors/") == std::string::npos);
  }
}

}  // namespace
}  // namespace closeloop::dsl
