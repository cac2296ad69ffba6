#include "workflows/builtin_city.h"

#include <filesystem>
#include <fstream>

namespace closeloop::city {

Result<std::string> WriteBuiltinCity(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    const fs::path path = fs::path(dir) / std::string(f.path);
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      return Unavailable("cannot create " + path.parent_path().string() + ": " + ec.message());
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

Result<std::string> ReferenceDir(const std::string& workflows_dir, const std::string& name) {
  namespace fs = std::filesystem;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return InvalidArgument("a city is named with a-z, 0-9, '_' and '-', not '" + name + "'");
    }
  }
  const fs::path dir = name.empty() || name == "nanjing"
                           ? fs::path(workflows_dir) / "reference"
                           : fs::path(workflows_dir) / "cities" / name;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return dir.string();
  std::string known = fs::is_directory(fs::path(workflows_dir) / "reference", ec) ? "nanjing" : "";
  for (const auto& entry : fs::directory_iterator(fs::path(workflows_dir) / "cities", ec)) {
    if (entry.is_directory())
      known += (known.empty() ? "" : ", ") + entry.path().filename().string();
  }
  return NotFound("no city '" + name + "' in " + workflows_dir + " (" + dir.string() +
                  " is not a directory); it holds: " + (known.empty() ? "none" : known));
}

}  // namespace closeloop::city
