// The shipped cities as built into the binary: the workflows (workflows/*.wf, the same for
// every city), Nanjing's reference data and demo profile (workflows/reference/) and
// Taicang's (workflows/cities/taicang/), (workflows/CMakeLists.txt generates the files' definition
// at build time with web/embed.cmake), so `closeloop serve --demo` and `closeloop demo` need no
// source tree.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "web/embedded.h"

namespace closeloop::city {

using web::EmbeddedFile;  // path relative to workflows/: "hazard_disposal.wf",
                          // "reference/departments.jsonl", "cities/taicang/demo.json"

// Every file, sorted by path; static storage.
std::span<const EmbeddedFile> EmbeddedFiles();

// Writes every file under `dir` (created if missing; files there replaced), so the code that
// reads a city from a directory reads the built-in one: `dir` then holds the *.wf files and
// `dir`/reference. Returns `dir`.
Result<std::string> WriteBuiltinCity(const std::string& dir);

// The reference directory of city `name` in a workflows directory laid out as the shipped
// one: "" or "nanjing" -> DIR/reference, any other -> DIR/cities/NAME. NotFound, listing the
// cities DIR holds, when it has no such directory.
Result<std::string> ReferenceDir(const std::string& workflows_dir, const std::string& name);

}  // namespace closeloop::city
