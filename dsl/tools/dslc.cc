// dslc: the DSL toolchain on the command line, for authors of the dsl module and for the
// golden corpus (the product's verbs are `closeloop check` and `closeloop explain`, wired
// in app/ from dsl::RunCheck and dsl::RunExplain).
//   dslc check FILE...
//   dslc explain [--format text|dot|mermaid] FILE...
#include <cstdio>
#include <string>
#include <vector>

#include "dsl/compile.h"

int main(int argc, char** argv) {
  using namespace closeloop::dsl;
  if (argc < 3) {
    std::fprintf(stderr, "usage: dslc check FILE... | dslc explain [--format F] FILE...\n");
    return 2;
  }
  std::string verb = argv[1];
  ExplainFormat format = ExplainFormat::kText;
  std::vector<std::string> paths;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--format" && i + 1 < argc) {
      auto f = ParseExplainFormat(argv[++i]);
      if (!f.ok()) {
        std::fprintf(stderr, "%s\n", f.status().ToString().c_str());
        return 2;
      }
      format = *f;
      continue;
    }
    paths.push_back(a);
  }
  std::string out;
  int rc = 2;
  if (verb == "check")
    rc = RunCheck(paths, &out);
  else if (verb == "explain")
    rc = RunExplain(paths, format, &out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return rc;
}
