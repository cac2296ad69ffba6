#include "dsl/check_expr.h"

#include <fmt/format.h>

#include <algorithm>

namespace closeloop::dsl {
namespace {

bool IsNumeric(ValueType t) { return t == ValueType::kInt || t == ValueType::kDouble; }

SType Error() {
  SType t;
  t.error = true;
  return t;
}

SType Of(ValueType base) {
  SType t;
  t.base = base;
  return t;
}

std::string Joined(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size() && i < 12; ++i) {
    if (i > 0) out += ", ";
    out += values[i];
  }
  if (values.size() > 12) out += ", ...";
  return out;
}

std::string Clip(const std::string& s) { return s.size() > 40 ? s.substr(0, 40) + "..." : s; }

}  // namespace

std::string TypeLabel(const SType& t) {
  if (t.null_literal) return "null";
  if (t.enum_values != nullptr) return "string (" + t.enum_label + ")";
  return std::string(ValueTypeName(t.base));
}

bool ExprChecker::ResolveDuration(const ast::Duration& in, const DurationRules& rules,
                                  Duration* out) {
  out->count = in.count;
  out->unit = in.unit;
  out->calendar.clear();
  if (in.unit == DurationUnit::kMonths && !rules.allow_months) {
    ctx_->diags->Error(in.offset, "E060",
                       "months are only allowed in schedule cadences and time limits");
    return false;
  }
  bool working = in.unit == DurationUnit::kWorkingDays || in.unit == DurationUnit::kWorkingHours;
  if (working && rules.calendar_only) {
    ctx_->diags->Error(in.offset, "E059",
                       "this window is measured in calendar time; use minutes, hours or days");
    return false;
  }
  if (in.count > kMaxDurationCount) {
    ctx_->diags->Error(in.offset, "E078",
                       fmt::format("a duration may count at most {} units", kMaxDurationCount));
    return false;
  }
  if (in.count == 0 && !rules.allow_zero) {
    ctx_->diags->Error(in.offset, "E079", "a duration here must be longer than zero");
    return false;
  }
  if (!working) {
    if (in.calendar) {
      ctx_->diags->Error(in.calendar->offset, "E038",
                         "only working time takes a calendar ('on " + in.calendar->text + "')");
      return false;
    }
    return true;
  }
  if (in.calendar) {
    if (ctx_->calendars.count(in.calendar->text) == 0) {
      ctx_->diags->Error(in.calendar->offset, "E038",
                         "unknown calendar '" + Clip(in.calendar->text) +
                             "' (declare it with 'uses calendar " + Clip(in.calendar->text) + "')");
      return false;
    }
    out->calendar = in.calendar->text;
  } else {
    out->calendar = ctx_->default_calendar;
  }
  ctx_->used_calendars.insert(out->calendar);
  return true;
}

bool ExprChecker::Check(const ast::Expr& in, const Scope& scope, Expr* out, SType* type) {
  out->offset = in.offset;
  switch (in.kind) {
    case ast::Expr::Kind::kLiteral:
      out->op = ExprOp::kLiteral;
      if (in.duration) {
        Duration d;
        if (!ResolveDuration(*in.duration, DurationRules{false, false, true}, &d)) {
          *type = Error();
          return false;
        }
        out->literal = Value::Of(std::move(d));
      } else {
        out->literal = in.literal;
      }
      *type = Of(out->literal.type());
      type->null_literal = out->literal.is_null();
      out->type = type->base;
      return true;
    case ast::Expr::Kind::kPath:
    case ast::Expr::Kind::kIndex:
      return Path(in, scope, out, type);
    case ast::Expr::Kind::kCall:
      return Call(in, scope, out, type);
    case ast::Expr::Kind::kIn:
      return In(in, scope, out, type);
    case ast::Expr::Kind::kUnary: {
      out->op = in.op;
      out->args.resize(1);
      SType operand;
      if (in.args.empty() || !Check(in.args[0], scope, &out->args[0], &operand)) {
        *type = Error();
        return false;
      }
      if (in.op == ExprOp::kNot) {
        if (operand.base != ValueType::kBool && !operand.null_literal) {
          ctx_->diags->Error(in.offset, "E053",
                             "'not' needs true or false, found " + TypeLabel(operand));
          *type = Error();
          return false;
        }
        *type = Of(ValueType::kBool);
      } else {
        if (!IsNumeric(operand.base)) {
          ctx_->diags->Error(in.offset, "E052", "'-' needs a number, found " + TypeLabel(operand));
          *type = Error();
          return false;
        }
        *type = Of(operand.base);
      }
      out->type = type->base;
      return true;
    }
    case ast::Expr::Kind::kBinary:
      return Binary(in, scope, out, type);
  }
  *type = Error();
  return false;
}

bool ExprChecker::EnumLiteralOk(const SType& enum_side, const ast::Expr& other) {
  if (enum_side.enum_values == nullptr || other.kind != ast::Expr::Kind::kLiteral ||
      other.literal.type() != ValueType::kString) {
    return true;
  }
  const auto& values = *enum_side.enum_values;
  if (std::find(values.begin(), values.end(), other.literal.as_string()) != values.end()) {
    return true;
  }
  ctx_->diags->Error(
      other.offset, "E055",
      fmt::format("\"{}\" is not a value of {} (values: {})", Clip(other.literal.as_string()),
                  enum_side.enum_label, Joined(values)));
  return false;
}

bool ExprChecker::Comparable(const SType& a, const SType& b, const ast::Expr& a_expr,
                             const ast::Expr& b_expr, uint32_t at, const char* op) {
  if (a.null_literal || b.null_literal) return true;
  bool same = a.base == b.base || (IsNumeric(a.base) && IsNumeric(b.base));
  if (!same) {
    ctx_->diags->Error(at, "E051",
                       fmt::format("'{}' compares {} with {}", op, TypeLabel(a), TypeLabel(b)));
    return false;
  }
  return EnumLiteralOk(a, b_expr) && EnumLiteralOk(b, a_expr);
}

bool ExprChecker::Binary(const ast::Expr& in, const Scope& scope, Expr* out, SType* type) {
  auto fail = [&](const char* code, std::string msg) {
    ctx_->diags->Error(in.offset, code, std::move(msg));
    *type = Error();
    return false;
  };
  const ExprOp op = in.op;
  out->op = op;
  if (op == ExprOp::kAnd || op == ExprOp::kOr) {
    const char* word = op == ExprOp::kAnd ? "and" : "or";
    bool ok = true;
    out->args.resize(in.args.size());
    for (size_t i = 0; i < in.args.size(); ++i) {
      SType t;
      if (!Check(in.args[i], scope, &out->args[i], &t)) {
        ok = false;
      } else if (t.base != ValueType::kBool) {
        ctx_->diags->Error(
            in.args[i].offset, "E053",
            fmt::format("'{}' needs true or false on every side, found {}", word, TypeLabel(t)));
        ok = false;
      }
    }
    if (!ok) {
      *type = Error();
      return false;
    }
    *type = Of(ValueType::kBool);
    out->type = ValueType::kBool;
    return true;
  }
  SType lt, rt;
  Expr lhs, rhs;
  bool ok_l = Check(in.args[0], scope, &lhs, &lt);
  bool ok_r = Check(in.args[1], scope, &rhs, &rt);
  if (!ok_l || !ok_r) {
    *type = Error();
    return false;
  }
  static const char* kSymbols[] = {"==", "!=", "<", "<=", ">", ">="};
  if (op >= ExprOp::kEq && op <= ExprOp::kGe) {
    const char* sym = kSymbols[static_cast<int>(op) - static_cast<int>(ExprOp::kEq)];
    if (op == ExprOp::kEq || op == ExprOp::kNe) {
      if (!Comparable(lt, rt, in.args[0], in.args[1], in.offset, sym)) {
        *type = Error();
        return false;
      }
    } else {
      bool ordered = (IsNumeric(lt.base) && IsNumeric(rt.base)) ||
                     (lt.base == rt.base &&
                      (lt.base == ValueType::kString || lt.base == ValueType::kDuration));
      if (!ordered) {
        return fail("E052", fmt::format("'{}' needs two numbers, strings or durations, found {} "
                                        "and {}",
                                        sym, TypeLabel(lt), TypeLabel(rt)));
      }
    }
    out->args.push_back(std::move(lhs));
    out->args.push_back(std::move(rhs));
    *type = Of(ValueType::kBool);
    out->type = ValueType::kBool;
    return true;
  }
  // Arithmetic.
  ValueType result = ValueType::kNull;
  if (IsNumeric(lt.base) && IsNumeric(rt.base)) {
    result = lt.base == ValueType::kInt && rt.base == ValueType::kInt ? ValueType::kInt
                                                                      : ValueType::kDouble;
  } else if (op == ExprOp::kAdd && lt.base == ValueType::kString && rt.base == ValueType::kString) {
    result = ValueType::kString;
  } else if ((op == ExprOp::kAdd || op == ExprOp::kSub) && lt.base == ValueType::kDuration &&
             rt.base == ValueType::kDuration) {
    result = ValueType::kDuration;
  } else {
    static const char* kArith[] = {"+", "-", "*", "/", "%"};
    const char* sym = kArith[static_cast<int>(op) - static_cast<int>(ExprOp::kAdd)];
    return fail("E052",
                fmt::format("'{}' cannot combine {} and {}", sym, TypeLabel(lt), TypeLabel(rt)));
  }
  out->args.push_back(std::move(lhs));
  out->args.push_back(std::move(rhs));
  *type = Of(result);
  out->type = result;
  return true;
}

bool ExprChecker::In(const ast::Expr& in, const Scope& scope, Expr* out, SType* type) {
  Expr member;
  member.op = ExprOp::kIn;
  member.offset = in.offset;
  member.args.resize(in.args.size());
  std::vector<SType> types(in.args.size());
  bool ok = true;
  for (size_t i = 0; i < in.args.size(); ++i) {
    ok = Check(in.args[i], scope, &member.args[i], &types[i]) && ok;
  }
  if (!ok) {
    *type = Error();
    return false;
  }
  for (size_t i = 1; i < in.args.size(); ++i) {
    if (!Comparable(types[0], types[i], in.args[0], in.args[i], in.args[i].offset, "in")) {
      *type = Error();
      return false;
    }
  }
  member.type = ValueType::kBool;
  if (in.negated) {
    out->op = ExprOp::kNot;
    out->args.push_back(std::move(member));
  } else {
    *out = std::move(member);
  }
  out->offset = in.offset;
  out->type = ValueType::kBool;
  *type = Of(ValueType::kBool);
  return true;
}

bool ExprChecker::Condition(const ast::Expr& in, const Scope& scope, Expr* out) {
  SType t;
  if (!Check(in, scope, out, &t)) return false;
  if (t.base != ValueType::kBool) {
    ctx_->diags->Error(in.offset, "E050",
                       "a condition must be true or false; this is " + TypeLabel(t));
    return false;
  }
  return true;
}

bool ExprChecker::Assignable(const FactInfo& f, const SType& t, const ast::Expr& e,
                             const std::string& name) {
  ValueType want = ValueTypeOf(f.type);
  bool ok = t.base == want || (want == ValueType::kDouble && t.base == ValueType::kInt);
  if (!ok || t.null_literal) {
    ctx_->diags->Error(
        e.offset, "E054",
        fmt::format("'{}' is {}, but this value is {}", name,
                    f.type == FactType::kEnum ? "one of (" + Joined(f.enum_values) + ")"
                                              : std::string(FactTypeName(f.type)),
                    TypeLabel(t)));
    return false;
  }
  if (f.type == FactType::kEnum && t.enum_values != nullptr) {
    for (const std::string& v : *t.enum_values) {
      if (std::find(f.enum_values.begin(), f.enum_values.end(), v) == f.enum_values.end()) {
        ctx_->diags->Error(e.offset, "E055",
                           fmt::format("{} can be \"{}\", which is not a value of {} (values: {})",
                                       t.enum_label, Clip(v), name, Joined(f.enum_values)));
        return false;
      }
    }
    return true;
  }
  if (f.type == FactType::kEnum) {
    SType side;
    side.enum_values = &f.enum_values;
    side.enum_label = name;
    return EnumLiteralOk(side, e);
  }
  return true;
}

bool ExprChecker::Assign(const ast::Assign& in, const FactTable& target,
                         const std::string& target_label, const Scope& scope, Assignment* out) {
  SType t;
  bool value_ok = Check(in.value, scope, &out->value, &t);
  auto it = target.find(in.fact.text);
  if (it == target.end()) {
    ctx_->diags->Error(in.fact.offset, "E040",
                       "unknown fact '" + Clip(in.fact.text) + "' in " + target_label);
    return false;
  }
  if (!it->second.writable) {
    ctx_->diags->Error(in.fact.offset, "E056",
                       "'" + in.fact.text + "' is kept by the engine and cannot be set");
    return false;
  }
  out->fact = in.fact.text;
  if (&target == &ctx_->facts) ctx_->used_facts.insert(in.fact.text);
  if (!value_ok) return false;
  return Assignable(it->second, t, in.value, in.fact.text);
}

}  // namespace closeloop::dsl
