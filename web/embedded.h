// The console's files as built into the binary (web/CMakeLists.txt generates their
// definition from web/app/ at build time), so `closeloop serve` needs no path and no network
// to serve them.
#pragma once

#include <span>
#include <string_view>

namespace closeloop::web {

struct EmbeddedFile {
  std::string_view path;   // relative to web/app/, '/'-separated: "js/main.js"
  std::string_view bytes;  // the file's content, unchanged
};

// Every file of web/app/, sorted by path. The storage is static: views stay valid for the
// life of the process.
std::span<const EmbeddedFile> EmbeddedFiles();

}  // namespace closeloop::web
