// Loading the golden corpus (dsl/tests/corpus) for the golden and mutation tests.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dsl/diagnostic.h"

namespace closeloop::dsl::testing {

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CorpusCase {
  std::string name;           // "e042_event_in_route_key"
  std::filesystem::path dir;  // where NAME.expected lives
  std::vector<SourceFile> sources;
};

// NAME.wf files and NAME/ directories (their .wf files compiled together), sorted by name.
inline std::vector<CorpusCase> CorpusCases() {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(CLOSELOOP_SOURCE_DIR) / "dsl" / "tests" / "corpus";
  std::vector<CorpusCase> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path& p = entry.path();
    CorpusCase c;
    c.dir = dir;
    if (entry.is_directory()) {
      c.name = p.filename().string();
      std::vector<fs::path> files;
      for (const auto& f : fs::directory_iterator(p)) {
        if (f.path().extension() == ".wf") files.push_back(f.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        c.sources.push_back({c.name + "/" + f.filename().string(), ReadFile(f)});
      }
    } else if (p.extension() == ".wf") {
      c.name = p.stem().string();
      c.sources.push_back({p.filename().string(), ReadFile(p)});
    } else {
      continue;
    }
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(),
            [](const CorpusCase& a, const CorpusCase& b) { return a.name < b.name; });
  return out;
}

}  // namespace closeloop::dsl::testing
