// The HTTP API of `serve` on the embedded log: the backend the API reaches the node through,
// the first administrator's token, and the demo's users.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/engine_runner.h"
#include "app/node.h"
#include "connectors/http/api.h"
#include "connectors/http/auth.h"
#include "connectors/notify/deliverer.h"
#include "connectors/rocksdb/checkpoints.h"

namespace closeloop::app {

struct ApiWiring {
  bool manual_clock = false;
  bool sync = true;
  bool demo = false;
  std::string data_dir;  // demo: the sign-in page lists DATA/demo-credentials.json
  rocks::Checkpointer* checkpoints = nullptr;  // signed checkpoints (evidence, audit routes)
  // The notification deliverer, if one runs (connectors/notify/deliverer.h).
  notify::Deliverer* notify = nullptr;
  // The outlines the maps draw (LoadOutlines).
  std::vector<std::string> outlines;
};

// The outlines the console's maps draw: every shipped city's (workflows/reference,
// workflows/cities/*) and then each of `files` (serve --outlines), read and checked with
// http::CheckOutlines; a file's feature replaces a shipped one of the same place code. An
// error names the file and where in it ("taicang.geojson: features[2].geometry: ...").
Result<std::vector<std::string>> LoadOutlines(const std::vector<std::string>& files);

std::unique_ptr<http::Api> MakeEmbeddedApi(Node& node, EngineRunner& engine,
                                           const ApiWiring& wiring);

// Lifetimes of the tokens the server issues by itself (docs/operations.md, "Tokens and
// secrets"): the first administrator's and the demo personas'.
constexpr int64_t kBootstrapTokenLifetimeMs = 30 * http::kTokenDayMs;
constexpr int64_t kDemoTokenLifetimeMs = 30 * http::kTokenDayMs;

// On a data directory with no users: creates "admin" and writes a token for it to
// DATA/admin-token (mode 0600, valid 30 days), so the first administrator can sign in and
// create the rest. On a later start where no enabled administrator holds an unexpired
// token, issues the user "admin" (if enabled) a fresh one into the same file, so whoever
// runs the server is never locked out. Returns the file's path ("" when nothing was
// issued); an error when the user store cannot be read or written (never taken for "no
// users").
Result<std::string> BootstrapAdmin(http::Api& api, const std::string& data_dir);

struct DemoUser {
  std::string name, role, department, display_name;
  std::vector<std::string> acts_as;  // workflow roles a staff user also claims ("head")
};
// Users and fresh tokens (valid 30 days) for the demo's personas, written to
// DATA/demo-credentials.json (mode 0600) and returned as printable lines; the personas'
// tokens from an earlier start (label "demo") are revoked. The engine's staff directory is
// brought up to date before the file is written.
std::vector<std::string> WriteDemoCredentials(http::Api& api, const std::string& data_dir,
                                              const std::vector<DemoUser>& users,
                                              const std::string& base_url);

}  // namespace closeloop::app
