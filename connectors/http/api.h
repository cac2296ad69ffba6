// The HTTP API under /v1 (and Open311 GeoReport v2 under /open311/v2): publishing, tickets
// and staff actions, chains, audit, administration, live updates and metrics. It reaches
// the node only through ApiBackend, so the same API serves the embedded log and Kafka.
//
// Every call: limits checked before the body is read (size, chunked, headers) -> bearer
// token -> role -> rate limit -> handler -> access log (writes, auditor and inspector
// reads, reads that showed personal data) -> metrics. Errors are JSON: {"error": {"status", "code",
// "message", "field"?, "line"?, "column"?}}.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "events/publish.h"

namespace closeloop::engine {
class StateReader;
}
namespace closeloop::events {
class Log;
class TreeLog;
}  // namespace closeloop::events
namespace closeloop::rocks {
class RocksDb;
class Checkpointer;
}  // namespace closeloop::rocks
namespace closeloop::notify {
class Deliverer;
}

namespace closeloop::http {

class HttpServer;
class AuthStore;

struct ApiBackend {
  events::Log* log = nullptr;                  // reads: chains, verification, evidence
  const engine::StateReader* state = nullptr;  // the engine's derived state
  rocks::RocksDb* db = nullptr;                // users, tokens, the access log
  // Appends ingress at most once per id and answers when it is durable.
  std::function<Result<std::vector<events::IngressAck>>(const std::vector<events::IngressItem>&)>
      publish;
  // Records processed so far in a partition (the engine's position).
  std::function<uint64_t(uint32_t)> processed;
  // The engine's clock (the latest ClockTick processed).
  std::function<int64_t()> engine_now;
  // The boundary's clock, for stamping ingress and the access log. Never used in processing.
  std::function<int64_t()> wall_now;
  // Appends control records (their bytes: deployments, reference data, built with
  // events/record_build.h or decoded from an administrator's JSON) through the ingress
  // boundary, each to every partition, all or none.
  std::function<Status(const std::vector<std::string>&)> append_control;
  // Set when the server runs a manual clock: appends a ClockTick at the given time.
  std::function<Status(int64_t)> advance_clock;
  // False when a publish's offsets are not the offsets the engine processes (Kafka: the
  // engine reads a deduplicated local mirror): actions and Open311 requests then answer 202
  // once durable instead of waiting for the decision.
  bool decisions_visible = true;
  // Walks every partition's hash chain; "" when intact, else what is wrong.
  std::function<Result<std::string>()> verify_log;
  // Where the record `id` is (partition, offset): events that entered through ingress and the
  // engine's own records. Unset where the backend keeps no such index (Kafka): Open311 then
  // cannot show what was submitted nor resolve tokens (docs/open311.md), and evidence routes
  // answer 501.
  std::function<Result<std::optional<std::pair<uint32_t, uint64_t>>>(std::string_view id)>
      locate_record;
  // The log's Merkle trees and signed checkpoints (the embedded log); null where the log
  // has none (Kafka): checkpoint, proof and evidence routes then answer 501.
  const events::TreeLog* tree = nullptr;
  rocks::Checkpointer* checkpoints = nullptr;
  // The notification deliverer (connectors/notify): dead letters, their replay, metrics.
  // Null where none runs (Kafka).
  notify::Deliverer* notify = nullptr;
};

struct ApiOptions {
  double rate_per_second = 50;  // per token, sustained
  double rate_burst = 200;      // per token, at once
  int command_wait_ms = 10000;  // how long an action waits for the engine's decision
  size_t max_stream_clients = 64;
  size_t max_headers = 64;
  size_t max_batch = 10000;  // events per POST /v1/events
  bool demo = false;         // the sign-in page may list demo credentials
  std::string data_dir;      // DATA/attachments (uploads); demo: demo-credentials.json
  // GeoJSON FeatureCollections of places' outlines (features keyed by properties.code),
  // each one CheckOutlines accepts: GET /v1/places/outlines serves those of the places in
  // effect, a later collection's feature replacing an earlier one's of the same code.
  std::vector<std::string> outlines;
};

// Whether `geojson` is outlines the console's maps can draw: a GeoJSON FeatureCollection
// (RFC 7946) whose every feature has a non-empty string properties.code and a Polygon or
// MultiPolygon geometry of closed rings of at least four [longitude, latitude] positions in
// range. The error names where: "line 3, column 17: ..." for broken JSON, else the member
// ("features[4].geometry.coordinates[0][2]: latitude 123 is out of range").
Status CheckOutlines(std::string_view geojson);

class Api {
 public:
  Api(ApiBackend backend, ApiOptions options);
  ~Api();  // stops the live feed

  // Registers every route on `server` (before it starts).
  void Register(HttpServer& server);
  AuthStore& auth();
  // Records the engine's staff directory (engine/staff_directory.h) anew when this node's
  // users differ from the one in effect. The server calls it at start, after the users it
  // creates itself; the admin routes call it after each change of a user.
  Status SyncStaffDirectory();
  // (method, pattern) of every route registered, patterns as regular expressions.
  std::vector<std::pair<std::string, std::string>> Routes() const;
  // Stops the live-update feed (SSE streams end); call before stopping the server.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace closeloop::http
