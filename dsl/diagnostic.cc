#include "dsl/diagnostic.h"

#include <fmt/format.h>

#include <algorithm>

namespace closeloop::dsl {

LineCol LocateOffset(const std::string& text, uint32_t offset) {
  LineCol lc;
  const size_t end = std::min<size_t>(offset, text.size());
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.column = 1;
    } else {
      ++lc.column;
    }
  }
  return lc;
}

namespace {

// The line holding `offset`, with tabs kept so the caret lines up under them.
std::string_view LineAt(const std::string& text, uint32_t offset, size_t* line_start) {
  size_t pos = std::min<size_t>(offset, text.size());
  size_t start = text.rfind('\n', pos == 0 ? std::string::npos : pos - 1);
  start = (start == std::string::npos || pos == 0) ? 0 : start + 1;
  if (pos > 0 && pos <= text.size() && text[pos - 1] == '\n') start = pos;
  size_t end = text.find('\n', start);
  if (end == std::string::npos) end = text.size();
  *line_start = start;
  std::string_view line(text.data() + start, end - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::string FormatDiagnostics(const std::vector<SourceFile>& files,
                              const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    static const SourceFile kNone;
    const SourceFile& f = d.file < files.size() ? files[d.file] : kNone;
    LineCol lc = LocateOffset(f.text, d.offset);
    out += fmt::format("{}:{}:{}: {}[{}]: {}\n", f.name, lc.line, lc.column,
                       d.severity == DiagSeverity::kError ? "error" : "warning", d.code,
                       d.message);
    size_t start = 0;
    std::string_view line = LineAt(f.text, d.offset, &start);
    out += "  ";
    out += line;
    out += "\n  ";
    size_t caret = std::min<size_t>(d.offset, f.text.size()) - start;
    for (size_t i = 0; i < caret && i < line.size(); ++i) out += line[i] == '\t' ? '\t' : ' ';
    out += "^\n";
  }
  return out;
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == DiagSeverity::kError; });
}

}  // namespace closeloop::dsl
