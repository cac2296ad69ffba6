// The command line against a running server (`--server URL --token T`): scripts need no
// library, and the data directory keeps its one writer. The token may come from
// CLOSELOOP_TOKEN instead of the command line (which other users can see in `ps`).
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "base/json_check.h"
#include "base/status.h"

namespace closeloop::app {

struct RemoteOptions {
  std::string server;  // "http://127.0.0.1:8080"; "" = work on the data directory
  std::string token;
};

void AddRemoteOptions(CLI::App& cmd, RemoteOptions* o);

struct RemoteReply {
  int status = 0;
  nlohmann::json body;  // null unless the reply is strict JSON within kReplyJsonLimits
  std::string text;

  // The integer `key` of an object body; 0 when absent or of another type (a reply is
  // input too: a wrong one must not throw).
  int64_t Integer(const char* key) const;
};

// What a reply's JSON may be: the largest reply (POST /v1/events, 10,000 acknowledgements)
// is about 1 MiB.
inline constexpr JsonLimits kReplyJsonLimits{.max_bytes = 64 << 20, .max_depth = 64};

// POSTs `body` to `path`; an error only when the server could not be reached.
Result<RemoteReply> RemotePost(const RemoteOptions& o, const std::string& path,
                               const std::string& body, const std::string& content_type);

// GETs `path` (with its query); an error only when the server could not be reached.
Result<RemoteReply> RemoteGet(const RemoteOptions& o, const std::string& path);

// "HTTP 409: stale_version: expected version 3, ..." from an error reply.
std::string DescribeError(const RemoteReply& r);

}  // namespace closeloop::app
