// The shipped city (Nanjing's workflows/*.wf and workflows/reference/*.jsonl) as built into
// the binary (workflows/CMakeLists.txt generates the files' definition at build time with
// web/embed.cmake), so `closeloop serve --demo` and `closeloop demo` need no source tree.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "web/embedded.h"

namespace closeloop::city {

using web::EmbeddedFile;  // path relative to workflows/: "hazard_disposal.wf",
                          // "reference/departments.jsonl"

// Every file, sorted by path; static storage.
std::span<const EmbeddedFile> EmbeddedFiles();

// Writes every file under `dir` (created if missing; files there replaced), so the code that
// reads a city from a directory reads the built-in one: `dir` then holds the *.wf files and
// `dir`/reference. Returns `dir`.
Result<std::string> WriteBuiltinCity(const std::string& dir);

}  // namespace closeloop::city
