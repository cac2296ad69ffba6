#include "app/remote.h"

#include <httplib.h>

#include <cstdlib>

namespace closeloop::app {

void AddRemoteOptions(CLI::App& cmd, RemoteOptions* o) {
  cmd.add_option("--server", o->server,
                 "a running server's URL (e.g. http://127.0.0.1:8080): go through its API");
  cmd.add_option("--token", o->token, "bearer token for --server (default: $CLOSELOOP_TOKEN)");
}

namespace {

// One request: POST when `content_type` is set, else GET.
Result<RemoteReply> RemoteCall(const RemoteOptions& o, const std::string& path,
                               const std::string* body, const std::string& content_type) {
  std::string token = o.token;
  if (token.empty()) {
    const char* env = std::getenv("CLOSELOOP_TOKEN");
    if (env) token = env;
  }
  if (token.empty()) return InvalidArgument("--server needs --token or CLOSELOOP_TOKEN");
  httplib::Client client(o.server);
  if (!client.is_valid()) return InvalidArgument("--server: not a URL: " + o.server);
  client.set_read_timeout(120, 0);
  client.set_write_timeout(120, 0);
  httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  auto r = body ? client.Post(path, auth, *body, content_type) : client.Get(path, auth);
  if (!r) {
    return Unavailable("cannot reach " + o.server + ": " + httplib::to_string(r.error()));
  }
  RemoteReply out{r->status, nullptr, r->body};
  if (!CheckJson(r->body, kReplyJsonLimits)) {
    out.body = nlohmann::json::parse(r->body, nullptr, false);
    if (out.body.is_discarded()) out.body = nullptr;
  }
  return out;
}

}  // namespace

Result<RemoteReply> RemotePost(const RemoteOptions& o, const std::string& path,
                               const std::string& body, const std::string& content_type) {
  return RemoteCall(o, path, &body, content_type);
}

Result<RemoteReply> RemoteGet(const RemoteOptions& o, const std::string& path) {
  return RemoteCall(o, path, nullptr, "");
}

int64_t RemoteReply::Integer(const char* key) const {
  if (!body.is_object()) return 0;
  auto it = body.find(key);
  return it != body.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::string DescribeError(const RemoteReply& r) {
  std::string s = "HTTP " + std::to_string(r.status);
  auto text = [](const nlohmann::json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (r.body.is_object() && r.body.contains("error") && r.body["error"].is_object()) {
    const auto& e = r.body["error"];
    s += ": " + text(e, "code") + ": " + text(e, "message");
  } else if (!r.text.empty()) {
    s += ": " + Abbreviate(r.text, 300);
  }
  return s;
}

}  // namespace closeloop::app
