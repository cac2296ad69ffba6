// dsl::Env for the engine: what workflow expressions see while one record is processed.
#pragma once

#include <functional>
#include <map>

#include "dsl/expr.h"
#include "engine/ticket.h"
#include "events/record.h"

namespace closeloop::engine {

// Reads a body field of a verified record by name through the schema's reflection data:
// strings as String, integers as Int, floats as Double, bools as Bool, enums as the value's
// name. Envelope fields (dsl::kEnvelopeFields) when the body has no such field.
dsl::Value RecordField(const fb::Record& record, std::string_view name);
// The value of the Attr with `key` in the body's [Attr] field `field`.
dsl::Value RecordAttr(const fb::Record& record, std::string_view field, std::string_view key);

// Not thread-safe; cheap; lives for one evaluation context. Pointers must outlive it.
class EvalEnv final : public dsl::Env {
 public:
  EvalEnv(const fb::Record* event, const Ticket* ticket, int64_t now)
      : event_(event), ticket_(ticket), now_(now) {}

  // Facts not yet on a ticket (a start rule's provisional facts).
  void SetProvisional(const std::map<std::string, dsl::Value>* facts) { provisional_ = facts; }
  void SetMember(std::function<dsl::Value(std::string_view)> member) {
    member_ = std::move(member);
  }
  void SetRecurrences(std::function<dsl::Value(const dsl::Duration&)> f) {
    recurrences_ = std::move(f);
  }

  dsl::Value EventField(std::string_view name) const override;
  dsl::Value EventAttr(std::string_view field, std::string_view key) const override;
  dsl::Value TicketFact(std::string_view name) const override;
  dsl::Value MemberField(std::string_view name) const override;
  dsl::Value Subject() const override;
  int64_t Now() const override { return now_; }
  dsl::Value Recurrences(const dsl::Duration& window) const override;

 private:
  const fb::Record* event_;
  const Ticket* ticket_;
  int64_t now_;
  const std::map<std::string, dsl::Value>* provisional_ = nullptr;
  std::function<dsl::Value(std::string_view)> member_;
  std::function<dsl::Value(const dsl::Duration&)> recurrences_;
};

}  // namespace closeloop::engine
