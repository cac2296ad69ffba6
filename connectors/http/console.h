// The web console (web/app/, embedded into the binary at build time) served over HTTP:
// GET / is its page, GET /console/<path> its styles, scripts and images. Each answer carries
// its content type, a strong ETag (SHA-256 of the bytes) and Cache-Control: no-cache, so a
// browser revalidates and gets 304 until the binary changes; the page also sends a
// Content-Security-Policy that admits only this origin (nothing is loaded from elsewhere).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace httplib {
class Server;
}

namespace closeloop::http {

struct ConsoleFile {
  std::string_view bytes;
  std::string content_type;
  std::string etag;  // quoted, as sent
};

// The embedded file at `path` ("index.html", "js/main.js"); nullopt when there is none or the
// path tries to leave the console ("..").
std::optional<ConsoleFile> FindConsoleFile(std::string_view path);

// Registers GET / and GET /console/... on `server`. Thread-safe after registration (the
// files are immutable).
void RegisterConsole(httplib::Server& server);

}  // namespace closeloop::http
