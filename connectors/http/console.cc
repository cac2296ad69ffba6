#include "connectors/http/console.h"

#include <httplib.h>

#include <map>

#include "events/hash.h"
#include "web/embedded.h"

namespace closeloop::http {
namespace {

std::string ContentType(std::string_view path) {
  static const std::map<std::string_view, std::string_view> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".webmanifest", "application/manifest+json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  size_t dot = path.rfind('.');
  if (dot != std::string_view::npos) {
    auto it = kTypes.find(path.substr(dot));
    if (it != kTypes.end()) return std::string(it->second);
  }
  return "application/octet-stream";
}

// Path -> file with its type and ETag, built once (hashing every file costs a few ms).
const std::map<std::string, ConsoleFile, std::less<>>& Files() {
  static const auto* files = [] {
    auto* m = new std::map<std::string, ConsoleFile, std::less<>>();
    for (const auto& f : web::EmbeddedFiles()) {
      std::string etag = "\"" + events::ToHex(events::Sha256Of(f.bytes)).substr(0, 32) + "\"";
      (*m)[std::string(f.path)] = ConsoleFile{f.bytes, ContentType(f.path), std::move(etag)};
    }
    return m;
  }();
  return *files;
}

// Only this origin: scripts, styles, the API (fetch and the event stream), and blob: for
// the evidence bundle the audit view hands to the browser as a download.
constexpr const char* kPolicy =
    "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

void Serve(const httplib::Request& req, httplib::Response& res, std::string_view path) {
  auto file = FindConsoleFile(path);
  if (!file) {
    res.status = 404;
    res.set_content(
        "{\"error\": {\"status\": 404, \"code\": \"not_found\", \"message\": "
        "\"no such console file\"}}\n",
        "application/json; charset=utf-8");
    return;
  }
  res.set_header("ETag", file->etag);
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  // The service worker lives with the console's files but controls the whole console, whose
  // page is served at "/".
  if (path == "sw.js") res.set_header("Service-Worker-Allowed", "/");
  if (file->content_type.rfind("text/html", 0) == 0) {
    res.set_header("Content-Security-Policy", kPolicy);
  }
  if (req.get_header_value("If-None-Match") == file->etag) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(std::string(file->bytes), file->content_type);
}

}  // namespace

std::optional<ConsoleFile> FindConsoleFile(std::string_view path) {
  if (path.find("..") != std::string_view::npos) return std::nullopt;
  const auto& files = Files();
  auto it = files.find(path);
  if (it == files.end()) return std::nullopt;
  return it->second;
}

void RegisterConsole(httplib::Server& server) {
  Files();  // hash once, before the first request
  server.Get("/", [](const httplib::Request& req, httplib::Response& res) {
    Serve(req, res, "index.html");
  });
  server.Get(R"(/console/([A-Za-z0-9_./\-]+))",
             [](const httplib::Request& req, httplib::Response& res) {
               Serve(req, res, req.matches[1].str());
             });
}

}  // namespace closeloop::http
