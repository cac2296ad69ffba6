// Diagnostics as data: a user's mistake in a source is a Diagnostic in the compile result,
// never a failed Status. Codes are stable (E001.., W001..; docs/dsl.md lists them all).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace closeloop::dsl {

// One source file handed to the compiler. `name` is what diagnostics print.
struct SourceFile {
  std::string name;
  std::string text;
};

enum class DiagSeverity : uint8_t { kError, kWarning };

struct Diagnostic {
  DiagSeverity severity = DiagSeverity::kError;
  std::string code;     // "E012", "W003"
  std::string message;  // one sentence, no trailing period
  uint32_t file = 0;    // index into the SourceFile list given to Compile()
  uint32_t offset = 0;  // byte offset of the spot in that file
};

// Line and column (both 1-based; the column counts bytes) of `offset` in `text`.
struct LineCol {
  uint32_t line = 1;
  uint32_t column = 1;
};
LineCol LocateOffset(const std::string& text, uint32_t offset);

// Formats each diagnostic as
//   FILE:LINE:COL: error[CODE]: message
//     <the source line>
//     <spaces>^
// in the order given (Compile() returns them sorted by file, offset, code).
std::string FormatDiagnostics(const std::vector<SourceFile>& files,
                              const std::vector<Diagnostic>& diagnostics);

bool HasErrors(const std::vector<Diagnostic>& diagnostics);

}  // namespace closeloop::dsl
