// ExprChecker: resolves the names in an expression, checks its types and lowers it to the
// compiled Expr (expr.h). Reports E032..E062; an operand that already failed is not
// reported again (no cascades). Internal to dsl/.
//
// Thread-safety: not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/check_context.h"
#include "dsl/expr.h"
#include "dsl/program.h"

namespace closeloop::dsl {

// The static type of an expression.
struct SType {
  ValueType base = ValueType::kNull;
  bool error = false;         // an error was reported inside; report nothing more about it
  bool null_literal = false;  // the literal `null`, comparable with anything
  const std::vector<std::string>* enum_values = nullptr;  // string-valued enums
  std::string enum_label;                                 // "Severity", "state", ...
};

// How a written duration may be used.
struct DurationRules {
  bool allow_months = false;
  bool calendar_only = false;  // dedup windows and recurrences(): no working time
  bool allow_zero = false;
};

class ExprChecker {
 public:
  // `ctx` must outlive the checker.
  explicit ExprChecker(CheckContext* ctx) : ctx_(ctx) {}

  // Checks and lowers `in`; false when it reported an error.
  bool Check(const ast::Expr& in, const Scope& scope, Expr* out, SType* type);
  // Like Check, and the result must be a bool (E050).
  bool Condition(const ast::Expr& in, const Scope& scope, Expr* out);
  // `fact = value` into a fact of `target` (this workflow's or a chained one's).
  bool Assign(const ast::Assign& in, const FactTable& target, const std::string& target_label,
              const Scope& scope, Assignment* out);
  bool ResolveDuration(const ast::Duration& in, const DurationRules& rules, Duration* out);

  // E054/E055: can a value of type `t` (from `e`) go into a fact of type `f`?
  bool Assignable(const FactInfo& f, const SType& t, const ast::Expr& e, const std::string& name);

 private:
  bool Path(const ast::Expr& in, const Scope& scope, Expr* out, SType* type);
  bool EventField(const ast::Expr& in, const Scope& scope, Expr* out, SType* type);
  bool Call(const ast::Expr& in, const Scope& scope, Expr* out, SType* type);
  bool Binary(const ast::Expr& in, const Scope& scope, Expr* out, SType* type);
  bool In(const ast::Expr& in, const Scope& scope, Expr* out, SType* type);
  // E051/E055 for == != and `in` items; `rhs_expr` is the operand a literal may sit in.
  bool Comparable(const SType& a, const SType& b, const ast::Expr& a_expr, const ast::Expr& b_expr,
                  uint32_t at, const char* op);
  bool EnumLiteralOk(const SType& enum_side, const ast::Expr& other);

  CheckContext* ctx_;
};

std::string TypeLabel(const SType& t);

}  // namespace closeloop::dsl
