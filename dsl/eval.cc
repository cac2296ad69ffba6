// Evaluate(): the run-time semantics of expressions. Every path returns a defined Value;
// see the contract in expr.h.
#include <cmath>
#include <string>

#include "dsl/expr.h"

namespace closeloop::dsl {
namespace {

bool IsNumber(const Value& v) {
  return v.type() == ValueType::kInt || v.type() == ValueType::kDouble;
}
double AsDouble(const Value& v) {
  return v.type() == ValueType::kInt ? static_cast<double>(v.as_int()) : v.as_double();
}

bool Equal(const Value& a, const Value& b) {
  if (IsNumber(a) && IsNumber(b)) {
    if (a.type() == ValueType::kInt && b.type() == ValueType::kInt) {
      return a.as_int() == b.as_int();
    }
    return AsDouble(a) == AsDouble(b);
  }
  if (a.type() == ValueType::kDuration && b.type() == ValueType::kDuration) {
    const Duration& x = a.as_duration();
    const Duration& y = b.as_duration();
    int64_t mx = x.CalendarMillis(), my = y.CalendarMillis();
    if (mx >= 0 && my >= 0) return mx == my;
    return x == y;
  }
  return a == b;
}

// <0, 0, >0, or nullopt-like 2 when not ordered.
constexpr int kUnordered = 2;
int Compare(const Value& a, const Value& b) {
  if (IsNumber(a) && IsNumber(b)) {
    if (a.type() == ValueType::kInt && b.type() == ValueType::kInt) {
      return a.as_int() < b.as_int() ? -1 : (a.as_int() > b.as_int() ? 1 : 0);
    }
    double x = AsDouble(a), y = AsDouble(b);
    if (std::isnan(x) || std::isnan(y)) return kUnordered;
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.type() == ValueType::kString && b.type() == ValueType::kString) {
    int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.type() == ValueType::kDuration && b.type() == ValueType::kDuration) {
    const Duration& x = a.as_duration();
    const Duration& y = b.as_duration();
    int64_t mx = x.CalendarMillis(), my = y.CalendarMillis();
    if (mx >= 0 && my >= 0) return mx < my ? -1 : (mx > my ? 1 : 0);
    if (x.unit == y.unit && x.calendar == y.calendar) {
      return x.count < y.count ? -1 : (x.count > y.count ? 1 : 0);
    }
  }
  return kUnordered;
}

Value Arith(ExprOp op, const Value& a, const Value& b) {
  if (a.type() == ValueType::kInt && b.type() == ValueType::kInt) {
    int64_t x = a.as_int(), y = b.as_int(), r = 0;
    switch (op) {
      case ExprOp::kAdd:
        if (__builtin_add_overflow(x, y, &r)) return Value();
        break;
      case ExprOp::kSub:
        if (__builtin_sub_overflow(x, y, &r)) return Value();
        break;
      case ExprOp::kMul:
        if (__builtin_mul_overflow(x, y, &r)) return Value();
        break;
      case ExprOp::kDiv:
      case ExprOp::kMod:
        if (y == 0 || (x == INT64_MIN && y == -1)) return Value();
        r = op == ExprOp::kDiv ? x / y : x % y;
        break;
      default:
        return Value();
    }
    return Value::Int(r);
  }
  if (IsNumber(a) && IsNumber(b)) {
    double x = AsDouble(a), y = AsDouble(b);
    switch (op) {
      case ExprOp::kAdd:
        return Value::Double(x + y);
      case ExprOp::kSub:
        return Value::Double(x - y);
      case ExprOp::kMul:
        return Value::Double(x * y);
      case ExprOp::kDiv:
        return y == 0 ? Value() : Value::Double(x / y);
      case ExprOp::kMod:
        return y == 0 ? Value() : Value::Double(std::fmod(x, y));
      default:
        return Value();
    }
  }
  if (op == ExprOp::kAdd && a.type() == ValueType::kString && b.type() == ValueType::kString) {
    return Value::String(a.as_string() + b.as_string());
  }
  if ((op == ExprOp::kAdd || op == ExprOp::kSub) && a.type() == ValueType::kDuration &&
      b.type() == ValueType::kDuration) {
    Duration x = a.as_duration();
    const Duration& y = b.as_duration();
    if (x.unit != y.unit || x.calendar != y.calendar) return Value();
    int64_t r = 0;
    bool overflow = op == ExprOp::kAdd ? __builtin_add_overflow(x.count, y.count, &r)
                                       : __builtin_sub_overflow(x.count, y.count, &r);
    if (overflow) return Value();
    x.count = r;
    return Value::Of(std::move(x));
  }
  return Value();
}

}  // namespace

Value Evaluate(const Expr& e, const Env& env) {
  switch (e.op) {
    case ExprOp::kLiteral:
      return e.literal;
    case ExprOp::kEventField:
      return env.EventField(e.name);
    case ExprOp::kEventAttr:
      return env.EventAttr(e.name, e.key);
    case ExprOp::kTicketFact:
      return env.TicketFact(e.name);
    case ExprOp::kMemberField:
      return env.MemberField(e.name);
    case ExprOp::kSubject:
      return env.Subject();
    case ExprOp::kNow:
      return Value::Int(env.Now());
    case ExprOp::kRecent:
      if (e.args.size() != 1 || e.args[0].literal.type() != ValueType::kDuration) return Value();
      return env.Recurrences(e.args[0].literal.as_duration());
    case ExprOp::kSegments: {
      if (e.args.size() != 2) return Value();
      Value v = Evaluate(e.args[0], env);
      Value n = Evaluate(e.args[1], env);
      if (v.type() != ValueType::kString || n.type() != ValueType::kInt) return Value();
      const std::string& s = v.as_string();
      size_t end = std::string::npos, from = 0;
      for (int64_t i = 0; i < n.as_int(); ++i) {
        end = s.find('.', from);
        if (end == std::string::npos) return v;
        from = end + 1;
      }
      return Value::String(s.substr(0, end));
    }
    case ExprOp::kContains: {
      if (e.args.size() != 2) return Value::Bool(false);
      Value a = Evaluate(e.args[0], env);
      Value b = Evaluate(e.args[1], env);
      if (a.type() != ValueType::kString || b.type() != ValueType::kString) {
        return Value::Bool(false);
      }
      return Value::Bool(a.as_string().find(b.as_string()) != std::string::npos);
    }
    case ExprOp::kNot:
      if (e.args.size() != 1) return Value();
      return Value::Bool(!Evaluate(e.args[0], env).truthy());
    case ExprOp::kNeg: {
      if (e.args.size() != 1) return Value();
      Value v = Evaluate(e.args[0], env);
      if (v.type() == ValueType::kInt) {
        if (v.as_int() == INT64_MIN) return Value();
        return Value::Int(-v.as_int());
      }
      if (v.type() == ValueType::kDouble) return Value::Double(-v.as_double());
      return Value();
    }
    case ExprOp::kAnd:
      for (const Expr& a : e.args) {
        if (!Evaluate(a, env).truthy()) return Value::Bool(false);
      }
      return Value::Bool(!e.args.empty());
    case ExprOp::kOr:
      for (const Expr& a : e.args) {
        if (Evaluate(a, env).truthy()) return Value::Bool(true);
      }
      return Value::Bool(false);
    case ExprOp::kIn: {
      if (e.args.empty()) return Value::Bool(false);
      Value v = Evaluate(e.args[0], env);
      for (size_t i = 1; i < e.args.size(); ++i) {
        if (Equal(v, Evaluate(e.args[i], env))) return Value::Bool(true);
      }
      return Value::Bool(false);
    }
    default:
      break;
  }
  if (e.args.size() != 2) return Value();
  Value a = Evaluate(e.args[0], env);
  Value b = Evaluate(e.args[1], env);
  switch (e.op) {
    case ExprOp::kEq:
      return Value::Bool(Equal(a, b));
    case ExprOp::kNe:
      return Value::Bool(!Equal(a, b));
    case ExprOp::kLt: {
      int c = Compare(a, b);
      return Value::Bool(c != kUnordered && c < 0);
    }
    case ExprOp::kLe: {
      int c = Compare(a, b);
      return Value::Bool(c != kUnordered && c <= 0);
    }
    case ExprOp::kGt: {
      int c = Compare(a, b);
      return Value::Bool(c != kUnordered && c > 0);
    }
    case ExprOp::kGe: {
      int c = Compare(a, b);
      return Value::Bool(c != kUnordered && c >= 0);
    }
    case ExprOp::kAdd:
    case ExprOp::kSub:
    case ExprOp::kMul:
    case ExprOp::kDiv:
    case ExprOp::kMod:
      return Arith(e.op, a, b);
    default:
      return Value();
  }
}

}  // namespace closeloop::dsl
