// Record ids: 128-bit, time-ordered (ULID layout: 48 bits of milliseconds since the epoch,
// then 80 bits), written as 26 characters of Crockford base32. Sorting the text sorts by time.
//
// Ingress ids draw their 80 bits from the OS's random source (only at the boundary, never in
// processing). Engine records derive theirs from the record that caused them, so processing
// the same log twice produces the same ids.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace closeloop::events {

struct Id {
  uint64_t hi = 0;  // 48 bits of time, then the top 16 bits of the tail
  uint64_t lo = 0;  // the low 64 bits of the tail

  int64_t time_ms() const { return static_cast<int64_t>(hi >> 16); }
  std::string ToString() const;
  static Result<Id> Parse(std::string_view text);

  friend bool operator==(const Id&, const Id&) = default;
  friend auto operator<=>(const Id&, const Id&) = default;
};

inline constexpr size_t kIdTextLength = 26;

// A fresh id for a record entering the log at `time_ms`.
Id NewRandomId(int64_t time_ms);

// The id of the `index`-th record emitted while processing the record `cause` at
// logical time `time_ms`. Pure: the same inputs give the same id.
Id DeriveId(int64_t time_ms, std::string_view cause, uint32_t index);

// True when `text` is a well-formed id (26 Crockford base32 characters, first <= '7').
bool IsValidId(std::string_view text);

}  // namespace closeloop::events
