// Reading records: verification, classification of body types, the stored-bytes helpers
// the log uses to fill in the hash chain.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "events/hash.h"
#include "events/record_generated.h"

namespace closeloop::events {

namespace fb = ::closeloop::fb;

// Every decode of stored or received bytes goes through here: runs flatbuffers::Verifier
// (with depth and table limits) and checks the file identifier. The returned pointer
// points into `bytes` and lives as long as they do.
Result<const fb::Record*> VerifyRecord(std::span<const uint8_t> bytes);
Result<const fb::Record*> VerifyRecord(std::string_view bytes);

// The text of an optional string field of a record; "" when the field is absent.
inline std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

// Who may write a body type.
enum class BodyKind {
  kIngress,  // agencies and staff publish these
  kControl,  // clock, deployments, reference data: a copy goes to every partition
  kEngine,   // written by the engine only
  kNone,     // no body
};
BodyKind KindOf(fb::Body type);

// "SensorAlarm", or "" for NONE / unknown.
std::string_view BodyName(fb::Body type);
// Inverse of BodyName; fb::Body::NONE when unknown.
fb::Body BodyFromName(std::string_view name);

inline constexpr size_t kHashHexLength = 64;
// The prev_hash value a record carries before the log fills it in.
inline constexpr std::string_view kUnsetHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Writes `prev` into the record's prev_hash field in place. The field must hold 64
// characters already (records made by JsonCodec / RecordBuilder always do).
// REQUIRES: `bytes` passed VerifyRecord.
Status SetPrevHash(std::string& bytes, const Hash& prev);

// The hash of a record as stored (after SetPrevHash).
inline Hash RecordHash(std::string_view stored) { return Sha256Of(stored); }

}  // namespace closeloop::events
