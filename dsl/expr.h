// Compiled expressions and their evaluator. Part of the engine contract (dsl/program.h);
// changes here are additive only.
//
// An Expr is a checked tree: names are resolved (event field vs. envelope field vs. ticket
// fact vs. member field), enum literals are validated, types are known. Evaluate() is pure
// and deterministic: it reads only the Env it is given, never the clock or randomness, and
// never crashes or throws on a type mismatch, a missing field, an overflow or a division by
// zero: those yield the defined results below.
//
// Thread-safety: Expr is immutable after compilation; Evaluate() may run concurrently on
// the same Expr with different Envs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/value.h"

namespace closeloop::dsl {

enum class ExprOp : uint8_t {
  kLiteral,      // `literal`
  kEventField,   // event.NAME: a field of the record body, or an envelope field (kEnvelopeFields)
  kEventAttr,    // event.NAME["KEY"]: value of the Attr with key KEY in the [Attr] field NAME
  kTicketFact,   // ticket.NAME or a bare fact name: a fact of the ticket (built-in or declared)
  kMemberField,  // member.NAME: a column of the reference-table row a schedule iterates over
  kSubject,      // `subject`: Env::Subject()
  kNow,          // `now`: Env::Now(), milliseconds since the epoch
  kRecent,       // recurrences(WINDOW): Env::Recurrences(args[0] is a duration literal)
  kNot,          // not a
  kNeg,          // -a
  kAnd,          // a and b and ... (n-ary, short-circuit)
  kOr,           // a or b or ... (n-ary, short-circuit)
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,  // a in [b, c, ...]: args[0] is a, args[1..] the list items
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  // Added after the first contract (additive): district(e) / street(e). args[0] is a string,
  // args[1] an int literal N: the first N dot-separated parts of args[0] ("xuanwu.meiyuan"
  // for N = 2 of "xuanwu.meiyuan.g03"); the whole string when it has fewer; null if args[0]
  // is not a string.
  kSegments,
  // Added after the first contract (additive): contains(a, b). True when the string args[0]
  // holds the string args[1] (bytewise; "" is in every string); false when either is not a
  // string.
  kContains,
};

// The envelope fields `event.NAME` may name besides the body's own fields (a body field
// with the same name wins): id, source, subject, jurisdiction, occurred_at, recorded_at,
// actor, causation_id, correlation_id. Instants are kInt milliseconds.
inline constexpr std::string_view kEnvelopeFields[] = {
    "id",          "source", "subject",      "jurisdiction",   "occurred_at",
    "recorded_at", "actor",  "causation_id", "correlation_id",
};

struct Expr {
  ExprOp op = ExprOp::kLiteral;
  Value literal;                      // kLiteral
  std::string name;                   // field / fact / member column name
  std::string key;                    // kEventAttr: the Attr key
  std::vector<Expr> args;             // operands, in source order
  ValueType type = ValueType::kNull;  // static type from the checker (kNull = "any")
  uint32_t offset = 0;                // byte offset in the source, for run-time error reports
};

// What an expression can see. The engine implements it per evaluation. Every method must
// be deterministic (derived from the log) and return Value::Null() when the thing is
// absent: a field the body does not have or did not set, no current event, no member.
class Env {
 public:
  virtual ~Env() = default;
  // Body field by name (enum fields as their value name, e.g. "alarm"; absent optional
  // scalars as the schema default), or an envelope field from kEnvelopeFields.
  virtual Value EventField(std::string_view name) const = 0;
  // The `value` of the Attr whose key is `key` in the body's [Attr] field `field`.
  virtual Value EventAttr(std::string_view field, std::string_view key) const = 0;
  // A ticket fact: built-in (see kBuiltinFacts in program.h) or declared by the workflow.
  virtual Value TicketFact(std::string_view name) const = 0;
  // A column of the current schedule member (reference-table row); Null outside schedules.
  virtual Value MemberField(std::string_view name) const = 0;
  // The ticket's subject; before the ticket exists (start rules), the record's subject.
  virtual Value Subject() const = 0;
  // The logical time of the record being processed, ms since the epoch.
  virtual int64_t Now() const = 0;
  // How many other tickets of this workflow with the same subject and category were opened
  // within `window` before now (recurring hazards). Null if the engine does not track it.
  virtual Value Recurrences(const Duration& window) const = 0;
};

// Evaluates `e`. Defined results, never a crash:
// - and/or/not treat anything but Bool(true) as false and always return a Bool;
// - == / != compare type and value (Int and Double compare numerically; null == null);
//   a mismatch of types gives false for ==, true for !=;
// - < <= > >= on numbers, strings (bytewise), or calendar-unit durations (by length);
//   anything else, or a null operand, gives false;
// - `in` is true when some list item == a;
// - arithmetic: int op int -> int (null on overflow, division or modulo by zero);
//   mixed int/double -> double; string + string -> concatenation; duration +/- duration of
//   the same unit and calendar -> duration; anything else -> null;
// - nested depth is bounded by the compiler (kMaxExprDepth), so recursion is bounded.
Value Evaluate(const Expr& e, const Env& env);

// A readable rendering (the source form, normalised): `event.level in ["alarm", "critical"]`.
std::string FormatExpr(const Expr& e);

// Limits the compiler enforces on every expression.
inline constexpr int kMaxExprDepth = 64;

}  // namespace closeloop::dsl
