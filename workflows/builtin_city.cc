#include "workflows/builtin_city.h"

#include <filesystem>
#include <fstream>

namespace closeloop::city {

Result<std::string> WriteBuiltinCity(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "reference", ec);
  if (ec) return Unavailable("cannot create " + dir + "/reference: " + ec.message());
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    const fs::path path = fs::path(dir) / std::string(f.path);
    const fs::path tmp = path.string() + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(f.bytes.data(), static_cast<std::streamsize>(f.bytes.size()));
      if (!out) return Unavailable("cannot write " + tmp.string());
    }
    fs::rename(tmp, path, ec);
    if (ec) return Unavailable("cannot write " + path.string() + ": " + ec.message());
  }
  return dir;
}

}  // namespace closeloop::city
