// libFuzzer target: JSON Lines files, the input of `closeloop publish`. Bytes -> ReadJsonl
// -> every error formatted as the command prints it. A file with errors keeps no record,
// and every error names a line of the file. Built with clang++ by
// tests/security/parsers_fuzz.cmake.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "connectors/file/jsonl.h"

using namespace closeloop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream in(text);
  file::JsonlResult r = file::ReadJsonl(in, 4, 1767225600000);
  if (!r.errors.empty() && !r.records.empty()) std::abort();
  size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (const auto& e : r.errors) {
    if (e.line < 1 || static_cast<size_t>(e.line) > lines) std::abort();
    (void)file::FormatError("f.jsonl", e);
  }
  if (r.records.size() > r.lines) std::abort();
  return 0;
}
