// The HTTP API of `serve` on the embedded log: the backend the API reaches the node through,
// the first administrator's token, and the demo's users.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/engine_runner.h"
#include "app/node.h"
#include "connectors/http/api.h"
#include "connectors/rocksdb/checkpoints.h"

namespace closeloop::app {

struct ApiWiring {
  bool manual_clock = false;
  bool sync = true;
  bool demo = false;
  std::string data_dir;  // demo: the sign-in page lists DATA/demo-credentials.json
  rocks::Checkpointer* checkpoints = nullptr;  // signed checkpoints (evidence, audit routes)
};

std::unique_ptr<http::Api> MakeEmbeddedApi(Node& node, EngineRunner& engine,
                                           const ApiWiring& wiring);

// On a data directory with no users: creates "admin" and writes a token for it to
// DATA/admin-token (mode 0600), so the first administrator can sign in and create the
// rest. Returns the file's path ("" when users already existed).
std::string BootstrapAdmin(http::Api& api, const std::string& data_dir);

struct DemoUser {
  std::string name, role, department, display_name;
};
// Users and fresh tokens for the demo's personas, written to DATA/demo-credentials.json
// (mode 0600) and returned as printable lines.
std::vector<std::string> WriteDemoCredentials(http::Api& api, const std::string& data_dir,
                                              const std::vector<DemoUser>& users,
                                              const std::string& base_url);

}  // namespace closeloop::app
