// Records the programs write themselves (a clock tick, a deployment, a staff command built
// from a token's claims, an Open311 request): filled in as typed FlatBuffers objects and
// packed here, never written as JSON text and parsed back. They enter the log through the
// same boundary as everything else (file::IngressPreparer::PrepareRecord), which stamps and
// packs them again, so a record built here is stored byte for byte as the same record
// decoded from JSON by JsonCodec (events/tests/record_build_test.cc).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/record.h"

namespace closeloop::events {

// The record's bytes, without what the log sets (recorded_at, prev_hash: the boundary
// refuses a record carrying them, and stamps them). An empty id or occurred_at is the
// boundary's to stamp too.
std::string PackRecord(fb::RecordT record);

// A record of `source` with `body` and nothing else set.
template <typename BodyT>
std::string PackRecord(std::string_view source, BodyT body) {
  fb::RecordT r;
  r.source = std::string(source);
  r.body.Set(std::move(body));
  return PackRecord(std::move(r));
}

// A workflow's DSL source deployed as `name` version `version` (its SHA-256 computed here).
std::string WorkflowDeployedRecord(std::string_view source, std::string_view actor,
                                   std::string_view name, uint32_t version, std::string_view text);

// The engine's time moved to `now_ms`, by `source` (a scheduler, the API's manual clock, an
// import).
std::string ClockTickRecord(std::string_view source, int64_t now_ms);

}  // namespace closeloop::events
