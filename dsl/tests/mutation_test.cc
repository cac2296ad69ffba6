// Deterministic mutation test over the golden corpus: thousands of damaged sources (bytes
// deleted, duplicated, swapped, replaced with tokens that matter to the grammar) must each
// compile to diagnostics or a program, never crash or hang, with every diagnostic
// pointing inside its file. The fuzz target (dsl_fuzz) does the same with coverage guidance.
#include <doctest/doctest.h>

#include <cstdint>

#include "dsl/compile.h"
#include "dsl/tests/corpus_util.h"

namespace closeloop::dsl {
namespace {

// A fixed-seed generator: the same mutations on every run and machine.
class Lcg {
 public:
  explicit Lcg(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    s_ = s_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return s_ >> 33;
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }

 private:
  uint64_t s_;
};

const char* kTokens[] = {
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    ":",
    "=",
    "==",
    "->",
    "%",
    "\"",
    "\\",
    "\n",
    " ",
    "#",
    "state ",
    "on ",
    "limit ",
    "when ",
    "and ",
    "or ",
    "not ",
    "in ",
    "event.",
    "ticket.",
    "member.",
    "2h",
    "3 working days",
    "99999999999999999999",
    "-",
    "terminal",
    "start on ",
    "chain ",
    "step x at limit: ",
    "recurrences(",
    "\xe4\xb8\xad",
    "\x01",
    "workflow ",
};

std::string Mutate(const std::string& src, Lcg* rng) {
  std::string s = src;
  int edits = 1 + static_cast<int>(rng->Below(4));
  for (int i = 0; i < edits; ++i) {
    size_t at = rng->Below(s.size() + 1);
    switch (rng->Below(6)) {
      case 0:  // delete a run of bytes
        s.erase(at, 1 + rng->Below(12));
        break;
      case 1:  // insert a token
        s.insert(at, kTokens[rng->Below(sizeof(kTokens) / sizeof(kTokens[0]))]);
        break;
      case 2:  // duplicate a slice
        if (!s.empty()) {
          size_t from = rng->Below(s.size());
          s.insert(at, s.substr(from, 1 + rng->Below(40)));
        }
        break;
      case 3:  // swap two bytes
        if (s.size() > 1) std::swap(s[rng->Below(s.size())], s[rng->Below(s.size())]);
        break;
      case 4:  // replace a byte with any byte
        if (!s.empty()) s[rng->Below(s.size())] = static_cast<char>(rng->Below(256));
        break;
      case 5:  // truncate
        s.resize(at);
        break;
    }
  }
  return s;
}

TEST_CASE("mutated corpus sources never crash and every diagnostic points inside its file") {
  Lcg rng(20261122);
  const auto cases = testing::CorpusCases();
  size_t compiled = 0, failed = 0;
  for (int round = 0; round < 40; ++round) {
    for (const auto& c : cases) {
      std::vector<SourceFile> sources = c.sources;
      SourceFile& victim = sources[rng.Below(sources.size())];
      victim.text = Mutate(victim.text, &rng);
      CompileResult r = Compile(sources);
      for (const Diagnostic& d : r.diagnostics) {
        REQUIRE(d.file < sources.size());
        REQUIRE(d.offset <= sources[d.file].text.size());
        REQUIRE(!d.message.empty());
      }
      REQUIRE(r.diagnostics.size() <= kMaxDiagnostics + 1);
      std::string text = FormatDiagnostics(sources, r.diagnostics);
      if (r.ok()) {
        ++compiled;
        REQUIRE_FALSE(HasErrors(r.diagnostics));
        for (auto f : {ExplainFormat::kText, ExplainFormat::kDot, ExplainFormat::kMermaid}) {
          REQUIRE_FALSE(Explain(*r.program, f).empty());
        }
      } else {
        ++failed;
        REQUIRE(HasErrors(r.diagnostics));
        REQUIRE_FALSE(text.empty());
      }
    }
  }
  // Both outcomes must occur, or the mutations are not exercising anything.
  CHECK(compiled > 10);
  CHECK(failed > 1000);
}

}  // namespace
}  // namespace closeloop::dsl
