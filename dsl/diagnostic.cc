#include "dsl/diagnostic.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/text_position.h"

namespace closeloop::dsl {

LineCol LocateOffset(const std::string& text, uint32_t offset) {
  TextPosition at = PositionAt(text, offset);
  return {static_cast<uint32_t>(at.line), static_cast<uint32_t>(at.column)};
}

namespace {

constexpr size_t kMaxShownLine = 160;

// Byte offsets where each line starts, so many diagnostics cost one pass over the file.
std::vector<size_t> LineStarts(const std::string& text) {
  std::vector<size_t> starts{0};
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts.push_back(i + 1);
  }
  return starts;
}

}  // namespace

std::string FormatDiagnostics(const std::vector<SourceFile>& files,
                              const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  std::vector<std::vector<size_t>> lines(files.size());
  static const SourceFile kNone;
  for (const Diagnostic& d : diagnostics) {
    const SourceFile& f = d.file < files.size() ? files[d.file] : kNone;
    std::vector<size_t> none_lines{0};
    std::vector<size_t>* starts = &none_lines;
    if (d.file < files.size()) {
      if (lines[d.file].empty()) lines[d.file] = LineStarts(f.text);
      starts = &lines[d.file];
    }
    const size_t pos = std::min<size_t>(d.offset, f.text.size());
    const size_t index = static_cast<size_t>(std::upper_bound(starts->begin(), starts->end(), pos) -
                                             starts->begin()) -
                         1;
    const size_t start = (*starts)[index];
    size_t end = index + 1 < starts->size() ? (*starts)[index + 1] - 1 : f.text.size();
    std::string_view line(f.text.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out += fmt::format("{}:{}:{}: {}[{}]: {}\n", f.name, index + 1, pos - start + 1,
                       d.severity == DiagSeverity::kError ? "error" : "warning", d.code, d.message);
    // A very long line (generated or hostile input) is shown as a window around the spot.
    size_t caret = pos - start;
    std::string prefix, suffix;
    if (line.size() > kMaxShownLine) {
      size_t from = caret > kMaxShownLine / 2 ? caret - kMaxShownLine / 2 : 0;
      if (from > 0) prefix = "...";
      if (from + kMaxShownLine < line.size()) suffix = "...";
      line = line.substr(from, kMaxShownLine);
      caret -= from;
    }
    out += "  " + prefix;
    out += line;
    out += suffix + "\n  " + std::string(prefix.size(), ' ');
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
