#include "dsl/compile.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "dsl/checker.h"
#include "dsl/parser.h"

namespace closeloop::dsl {

CompileResult Compile(const std::vector<SourceFile>& files) {
  CompileResult result;
  DiagSink diags(&result.diagnostics);
  std::vector<ast::File> trees(files.size());
  for (uint32_t i = 0; i < files.size(); ++i) {
    diags.set_file(i);
    if (files[i].text.size() > kMaxSourceBytes) {
      diags.Error(0, "E001",
                  fmt::format("the file is larger than the limit of {} bytes", kMaxSourceBytes));
      continue;
    }
    trees[i] = Parse(files[i].text, &diags);
  }
  Program program = CheckFiles(trees, &diags);
  for (Workflow& wf : program.workflows) {
    size_t file = std::stoul(wf.file);
    wf.file = file < files.size() ? files[file].name : "";
  }
  auto& d = result.diagnostics;
  std::stable_sort(d.begin(), d.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.offset != b.offset) return a.offset < b.offset;
    return a.code < b.code;
  });
  // The same complaint twice at one spot (e.g. one name checked in two roles) is one.
  d.erase(std::unique(d.begin(), d.end(),
                      [](const Diagnostic& a, const Diagnostic& b) {
                        return a.file == b.file && a.offset == b.offset && a.code == b.code &&
                               a.message == b.message;
                      }),
          d.end());
  if (d.size() > kMaxDiagnostics) {
    Diagnostic more = d[kMaxDiagnostics];
    size_t omitted = d.size() - kMaxDiagnostics + diags.dropped();
    d.resize(kMaxDiagnostics);
    more.severity = DiagSeverity::kError;
    more.code = "E099";
    more.message = fmt::format("too many diagnostics; {} more not shown", omitted);
    d.push_back(std::move(more));
  }
  if (!HasErrors(d)) result.program = std::move(program);
  return result;
}

Result<ExplainFormat> ParseExplainFormat(std::string_view name) {
  if (name == "text") return ExplainFormat::kText;
  if (name == "dot") return ExplainFormat::kDot;
  if (name == "mermaid") return ExplainFormat::kMermaid;
  return InvalidArgument("unknown explain format '" + std::string(name) +
                         "' (use text, dot or mermaid)");
}

Result<CompileResult> CompileFiles(const std::vector<std::string>& paths,
                                   std::vector<SourceFile>* sources) {
  sources->clear();
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return NotFound("cannot open " + path);
    // Read one byte past the limit so an oversize file is reported, not silently cut.
    std::string text;
    text.resize(kMaxSourceBytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) return IOError("cannot read " + path);
    text.resize(static_cast<size_t>(in.gcount()));
    sources->push_back(SourceFile{path, std::move(text)});
  }
  return Compile(*sources);
}

int RunCheck(const std::vector<std::string>& paths, std::string* out) {
  std::vector<SourceFile> sources;
  Result<CompileResult> r = CompileFiles(paths, &sources);
  if (!r.ok()) {
    *out = r.status().ToString() + "\n";
    return 2;
  }
  *out = FormatDiagnostics(sources, r->diagnostics);
  return r->ok() ? 0 : 1;
}

int RunExplain(const std::vector<std::string>& paths, ExplainFormat format, std::string* out) {
  std::vector<SourceFile> sources;
  Result<CompileResult> r = CompileFiles(paths, &sources);
  if (!r.ok()) {
    *out = r.status().ToString() + "\n";
    return 2;
  }
  if (!r->ok()) {
    *out = FormatDiagnostics(sources, r->diagnostics);
    return 1;
  }
  *out = Explain(*r->program, format);
  return 0;
}

}  // namespace closeloop::dsl
