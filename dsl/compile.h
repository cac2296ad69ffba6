// The toolchain's entry points: source -> tokens -> syntax tree -> checked -> Program, and
// the renderings `closeloop check` and `closeloop explain` print.
//
// Thread-safety: Compile() and Explain() are pure functions of their inputs (no globals
// besides the immutable embedded record schema); call them from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "dsl/diagnostic.h"
#include "dsl/program.h"

namespace closeloop::dsl {

// Input limits: a larger file gets E001 and is not parsed.
inline constexpr size_t kMaxSourceBytes = 1 << 20;  // 1 MiB per file
inline constexpr int kMaxNesting = 64;              // expression / list nesting
inline constexpr size_t kMaxDiagnostics = 100;      // per Compile(); then E099 "too many"

struct CompileResult {
  // Set when there is no error (warnings allowed). Holds every workflow of every file.
  std::optional<Program> program;
  // Errors and warnings of all files, sorted by (file, offset, code).
  std::vector<Diagnostic> diagnostics;

  bool ok() const { return program.has_value(); }
};

// Compiles the files as one set: a `chain` may name a workflow of any file of the set (its
// mapping is then checked against that workflow's facts) or one the file declares with
// `uses workflow NAME` (deployed separately: mappings to built-in facts are checked, other
// fact names are kept as written). Deterministic: the same files give the same result, byte
// for byte.
CompileResult Compile(const std::vector<SourceFile>& files);

enum class ExplainFormat { kText, kDot, kMermaid };
// Parses "text" | "dot" | "mermaid"; InvalidArgument otherwise.
Result<ExplainFormat> ParseExplainFormat(std::string_view name);

// The compiled state machines of every workflow in `program`, deterministic:
// kText: a readable listing (starts, routing, states with limits and transitions, ladder,
//        schedules); kDot: a Graphviz digraph per workflow; kMermaid: a stateDiagram-v2
//        per workflow.
std::string Explain(const Program& program, ExplainFormat format);

// For `closeloop check FILE...` and `closeloop explain FILE`: reads the files (NotFound /
// IOError when unreadable), compiles them, and returns the result.
Result<CompileResult> CompileFiles(const std::vector<std::string>& paths,
                                   std::vector<SourceFile>* sources);

// The whole `check` verb: prints diagnostics to `out`, returns the exit code
// (0 = no error, 1 = an error in some file, 2 = a file could not be read).
int RunCheck(const std::vector<std::string>& paths, std::string* out);
// The whole `explain` verb: on success `out` holds the rendering and the result is 0;
// otherwise `out` holds the diagnostics (or the read error) and the result is 1 (2 unreadable).
int RunExplain(const std::vector<std::string>& paths, ExplainFormat format, std::string* out);

}  // namespace closeloop::dsl
