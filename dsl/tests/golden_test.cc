// The golden corpus: every dsl/tests/corpus/NAME.wf (or NAME/ directory of .wf files,
// compiled together) against NAME.expected: the formatted diagnostics, followed by the
// text explain output when the compile succeeds. Sources named valid_* also have
// NAME.dot.expected and NAME.mermaid.expected.
//
// CLOSELOOP_UPDATE_GOLDEN=1 rewrites the expected files instead of comparing (then review
// the diff in git); without it, any mismatch fails.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "dsl/compile.h"
#include "dsl/tests/corpus_util.h"

namespace closeloop::dsl {
namespace {

namespace fs = std::filesystem;

bool Updating() {
  const char* v = std::getenv("CLOSELOOP_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

// The first line where `want` and `got` differ, for a readable failure.
std::string FirstDifference(const std::string& want, const std::string& got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool ea = !std::getline(a, la);
    bool eb = !std::getline(b, lb);
    if (ea && eb) return "identical";
    if (ea || eb || la != lb) {
      return "line " + std::to_string(line) + ":\n  expected: " + (ea ? "<end>" : la) +
             "\n  actual:   " + (eb ? "<end>" : lb);
    }
  }
}

void Compare(const fs::path& expected_path, const std::string& actual) {
  if (Updating()) {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return;
  }
  INFO("golden file: " << expected_path.string());
  REQUIRE_MESSAGE(fs::exists(expected_path), "missing; run with CLOSELOOP_UPDATE_GOLDEN=1");
  std::string want = testing::ReadFile(expected_path);
  CHECK_MESSAGE(want == actual, FirstDifference(want, actual));
}

TEST_CASE("every corpus source compiles to exactly its expected diagnostics or explain output") {
  const auto cases = testing::CorpusCases();
  REQUIRE(cases.size() >= 50);
  for (const auto& c : cases) {
    CompileResult r = Compile(c.sources);
    std::string out = FormatDiagnostics(c.sources, r.diagnostics);
    if (r.ok()) out += Explain(*r.program, ExplainFormat::kText);
    Compare(c.dir / (c.name + ".expected"), out);
    if (c.name.rfind("valid_", 0) == 0) {
      REQUIRE_MESSAGE(r.ok(), c.name << " must compile:\n" << out);
      Compare(c.dir / (c.name + ".dot.expected"), Explain(*r.program, ExplainFormat::kDot));
      Compare(c.dir / (c.name + ".mermaid.expected"), Explain(*r.program, ExplainFormat::kMermaid));
    }
  }
}

TEST_CASE("valid corpus sources compile with no error and no warning") {
  for (const auto& c : testing::CorpusCases()) {
    if (c.name.rfind("valid_", 0) != 0) continue;
    CompileResult r = Compile(c.sources);
    INFO(c.name << "\n" << FormatDiagnostics(c.sources, r.diagnostics));
    CHECK(r.ok());
    CHECK(r.diagnostics.empty());
  }
}

TEST_CASE("invalid corpus sources named after a code report that code") {
  // A case named e042_... or w013_... must produce E042 / W013 (the name is the claim).
  std::regex named("^([ew])([0-9]{3})_.*");
  for (const auto& c : testing::CorpusCases()) {
    std::smatch m;
    if (!std::regex_match(c.name, m, named)) continue;
    std::string code = std::string(m[1] == "e" ? "E" : "W") + m[2].str();
    CompileResult r = Compile(c.sources);
    bool found = std::any_of(r.diagnostics.begin(), r.diagnostics.end(),
                             [&](const Diagnostic& d) { return d.code == code; });
    INFO(c.name << "\n" << FormatDiagnostics(c.sources, r.diagnostics));
    CHECK(found);
    if (code[0] == 'E') CHECK_FALSE(r.ok());
    if (code[0] == 'W') CHECK(r.ok());
  }
}

TEST_CASE("the corpus covers at least 40 distinct codes and every code the compiler emits") {
  // Codes in the sources of the compiler: "E0nn" / "W0nn" string literals.
  std::set<std::string> emitted;
  std::regex literal("\"([EW][0-9]{3})\"");
  for (const auto& entry : fs::directory_iterator(fs::path(CLOSELOOP_SOURCE_DIR) / "dsl")) {
    if (entry.path().extension() != ".cc") continue;
    std::string text = testing::ReadFile(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), literal), end; it != end; ++it) {
      emitted.insert((*it)[1].str());
    }
  }
  std::set<std::string> covered;
  for (const auto& c : testing::CorpusCases()) {
    for (const Diagnostic& d : Compile(c.sources).diagnostics) covered.insert(d.code);
  }
  covered.insert("E001");  // a 1 MiB source is not kept in the corpus; dsl_test covers it
  CHECK(covered.size() >= 40);
  std::string docs = testing::ReadFile(fs::path(CLOSELOOP_SOURCE_DIR) / "docs" / "dsl.md");
  for (const std::string& code : emitted) {
    INFO("code " << code);
    CHECK_MESSAGE(covered.count(code) == 1, "no corpus case produces " << code);
    CHECK_MESSAGE(docs.find(code) != std::string::npos, code << " is not in docs/dsl.md");
  }
}

}  // namespace
}  // namespace closeloop::dsl

namespace closeloop::dsl {
namespace {

TEST_CASE("the worked examples in docs/dsl.md are corpus sources and compile cleanly together") {
  namespace fs = std::filesystem;
  std::string docs = testing::ReadFile(fs::path(CLOSELOOP_SOURCE_DIR) / "docs" / "dsl.md");
  std::set<std::string> corpus;
  for (const auto& c : testing::CorpusCases()) {
    if (c.name.rfind("valid_", 0) != 0) continue;
    for (const auto& s : c.sources) corpus.insert(s.text);
  }
  std::vector<SourceFile> examples;
  const std::string open = "```wf\n", close = "```\n";
  for (size_t at = docs.find(open); at != std::string::npos; at = docs.find(open, at)) {
    at += open.size();
    size_t end = docs.find(close, at);
    REQUIRE(end != std::string::npos);
    examples.push_back(
        {"docs/dsl.md#example" + std::to_string(examples.size() + 1), docs.substr(at, end - at)});
    at = end;
  }
  REQUIRE(examples.size() >= 5);
  for (const auto& e : examples) {
    INFO(e.name);
    CHECK_MESSAGE(corpus.count(e.text) == 1, "differs from every valid_* corpus source");
  }
  CompileResult r = Compile(examples);
  INFO(FormatDiagnostics(examples, r.diagnostics));
  CHECK(r.ok());
  CHECK(r.diagnostics.empty());
  std::set<Loop> loops;
  if (r.ok()) {
    for (const Workflow& w : r.program->workflows) loops.insert(w.loop);
  }
  CHECK(loops.size() == 4);  // a worked example for each loop
}

}  // namespace
}  // namespace closeloop::dsl
