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
    ctx_->diags->Error(in.offset, "E060", "months are only allowed in schedule cadences");
    return false;
  }
  bool working =
      in.unit == DurationUnit::kWorkingDays || in.unit == DurationUnit::kWorkingHours;
  if (working && rules.calendar_only) {
    ctx_->diags->Error(in.offset, "E059",
                       "this window is measured in calendar time; use minutes, hours or days");
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
    case ast::Expr::Kind::kIndex: return Path(in, scope, out, type);
    case ast::Expr::Kind::kCall: return Call(in, scope, out, type);
    case ast::Expr::Kind::kIn: return In(in, scope, out, type);
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
    case ast::Expr::Kind::kBinary: return Binary(in, scope, out, type);
  }
  *type = Error();
  return false;
}

bool ExprChecker::Path(const ast::Expr& in, const Scope& scope, Expr* out, SType* type) {
  const std::string& root = in.path[0].text;
  const bool index = in.kind == ast::Expr::Kind::kIndex;
  auto fail = [&](uint32_t at, const char* code, std::string msg) {
    ctx_->diags->Error(at, code, std::move(msg));
    *type = Error();
    return false;
  };
  if (root == "event" && in.path.size() >= 2) return EventField(in, scope, out, type);
  if (root == "event") {
    return fail(in.offset, "E046", "'event' alone is not a value; name a field: event.FIELD");
  }
  if (index) return fail(in.offset, "E047", "only an event's [Attr] field can be indexed");
  if (root == "member") {
    if (scope.member == nullptr) {
      return fail(in.offset, "E043", "'member' is only available in a schedule");
    }
    if (in.path.size() != 2) {
      return fail(in.offset, "E045", "write member.FIELD");
    }
    const std::string& f = in.path[1].text;
    for (const auto& [name, ftype] : scope.member->fields) {
      if (name.text == f) {
        out->op = ExprOp::kMemberField;
        out->name = f;
        *type = Of(ValueTypeOf(ftype));
        out->type = type->base;
        return true;
      }
    }
    return fail(in.path[1].offset, "E045",
                "reference table '" + scope.member->name.text + "' has no field '" + Clip(f) + "'");
  }
  std::string fact;
  uint32_t fact_at = in.path[0].offset;
  if (root == "ticket") {
    if (in.path.size() != 2) return fail(in.offset, "E040", "write ticket.FACT");
    fact = in.path[1].text;
    fact_at = in.path[1].offset;
  } else if (in.path.size() == 1 && (root == "subject" || root == "now")) {
    out->op = root == "now" ? ExprOp::kNow : ExprOp::kSubject;
    *type = Of(root == "now" ? ValueType::kInt : ValueType::kString);
    out->type = type->base;
    return true;
  } else if (in.path.size() == 1) {
    fact = root;
    if (ctx_->facts.count(fact) == 0) {
      return fail(in.offset, "E041",
                  "unknown name '" + Clip(root) +
                      "' (facts are named as declared; enum values are written as strings, \"" +
                      Clip(root) + "\")");
    }
  } else {
    return fail(in.offset, "E041",
                "unknown name '" + Clip(root) + "' (use event.FIELD, ticket.FACT or member.FIELD)");
  }
  auto it = ctx_->facts.find(fact);
  if (it == ctx_->facts.end()) {
    return fail(fact_at, "E040", "unknown fact '" + Clip(fact) + "'");
  }
  if (!scope.ticket) {
    return fail(in.offset, "E042", "ticket facts are not available " + std::string(scope.where));
  }
  ctx_->used_facts.insert(fact);
  out->op = ExprOp::kTicketFact;
  out->name = fact;
  *type = Of(ValueTypeOf(it->second.type));
  if (it->second.type == FactType::kEnum) {
    type->enum_values = &it->second.enum_values;
    type->enum_label = fact;
  }
  out->type = type->base;
  return true;
}

bool ExprChecker::EventField(const ast::Expr& in, const Scope& scope, Expr* out, SType* type) {
  auto fail = [&](uint32_t at, const char* code, std::string msg) {
    ctx_->diags->Error(at, code, std::move(msg));
    *type = Error();
    return false;
  };
  if (scope.event_type == nullptr) {
    return fail(in.offset, "E042", "there is no event " + std::string(scope.where));
  }
  const ast::Name& field = in.path[1];
  const auto* fields = ctx_->schema->Fields(*scope.event_type);
  const events::FieldInfo* info = nullptr;
  if (fields != nullptr) {
    for (const auto& f : *fields) {
      if (f.name == field.text) info = &f;
    }
  }
  const bool index = in.kind == ast::Expr::Kind::kIndex;
  if (info == nullptr) {
    for (std::string_view env : kEnvelopeFields) {
      if (env == field.text) {
        if (index || in.path.size() > 2) {
          return fail(field.offset, "E047", "envelope field '" + field.text + "' has no parts");
        }
        out->op = ExprOp::kEventField;
        out->name = field.text;
        bool instant = field.text == "occurred_at" || field.text == "recorded_at";
        *type = Of(instant ? ValueType::kInt : ValueType::kString);
        out->type = type->base;
        return true;
      }
    }
    return fail(field.offset, "E032",
                *scope.event_type + " has no field '" + Clip(field.text) + "'");
  }
  const bool attr_vector = info->type == reflection::Vector && info->element == reflection::Obj &&
                           info->table_name == "closeloop.fb.Attr";
  if (index) {
    if (!attr_vector) {
      return fail(field.offset, "E047",
                  "'" + field.text + "' is not an [Attr] field, so it cannot be indexed");
    }
    out->op = ExprOp::kEventAttr;
    out->name = field.text;
    out->key = in.key;
    *type = Of(ValueType::kString);
    out->type = type->base;
    return true;
  }
  if (in.path.size() > 2) {
    return fail(in.path[2].offset, "E046",
                "nested fields cannot be used in expressions ('" + field.text + "." +
                    Clip(in.path[2].text) + "')");
  }
  SType t;
  switch (info->type) {
    case reflection::Bool: t = Of(ValueType::kBool); break;
    case reflection::Byte: case reflection::UByte: case reflection::Short:
    case reflection::UShort: case reflection::Int: case reflection::UInt:
    case reflection::Long: case reflection::ULong:
      if (!info->enum_name.empty()) {
        t = Of(ValueType::kString);
        t.enum_values = ctx_->schema->EnumValues(info->enum_name);
        t.enum_label = info->enum_name.substr(info->enum_name.rfind('.') + 1);
      } else {
        t = Of(ValueType::kInt);
      }
      break;
    case reflection::Float: case reflection::Double: t = Of(ValueType::kDouble); break;
    case reflection::String: t = Of(ValueType::kString); break;
    default:
      if (attr_vector) {
        return fail(field.offset, "E046",
                    "'" + field.text + "' is a list of key/value pairs; write event." +
                        field.text + "[\"KEY\"]");
      }
      return fail(field.offset, "E046",
                  "field '" + field.text + "' is a table or list and cannot be used in an "
                  "expression");
  }
  out->op = ExprOp::kEventField;
  out->name = field.text;
  *type = t;
  out->type = t.base;
  return true;
}

bool ExprChecker::Call(const ast::Expr& in, const Scope& scope, Expr* out, SType* type) {
  if (in.path[0].text != "recurrences") {
    ctx_->diags->Error(in.offset, "E041",
                       "unknown function '" + Clip(in.path[0].text) + "' (there is recurrences())");
    *type = Error();
    return false;
  }
  if (!scope.ticket) {
    ctx_->diags->Error(in.offset, "E042",
                       "recurrences() needs a ticket and is not available " +
                           std::string(scope.where));
    *type = Error();
    return false;
  }
  if (in.args.size() != 1 || !in.args[0].duration) {
    ctx_->diags->Error(in.offset, "E062",
                       "recurrences() takes a duration, e.g. recurrences(90 days)");
    *type = Error();
    return false;
  }
  Duration window;
  if (!ResolveDuration(*in.args[0].duration, DurationRules{false, true, false}, &window)) {
    *type = Error();
    return false;
  }
  out->op = ExprOp::kRecent;
  Expr arg;
  arg.op = ExprOp::kLiteral;
  arg.offset = in.args[0].offset;
  arg.literal = Value::Of(std::move(window));
  arg.type = ValueType::kDuration;
  out->args.push_back(std::move(arg));
  *type = Of(ValueType::kInt);
  out->type = ValueType::kInt;
  return true;
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
  ctx_->diags->Error(other.offset, "E055",
                     fmt::format("\"{}\" is not a value of {} (values: {})",
                                 Clip(other.literal.as_string()), enum_side.enum_label,
                                 Joined(values)));
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
        ctx_->diags->Error(in.args[i].offset, "E053",
                           fmt::format("'{}' needs true or false on every side, found {}", word,
                                       TypeLabel(t)));
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
                     (lt.base == rt.base && (lt.base == ValueType::kString ||
                                             lt.base == ValueType::kDuration));
      if (!ordered) {
        return fail("E052", fmt::format("'{}' needs two numbers, strings or durations, found {} "
                                        "and {}", sym, TypeLabel(lt), TypeLabel(rt)));
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
  } else if (op == ExprOp::kAdd && lt.base == ValueType::kString &&
             rt.base == ValueType::kString) {
    result = ValueType::kString;
  } else if ((op == ExprOp::kAdd || op == ExprOp::kSub) && lt.base == ValueType::kDuration &&
             rt.base == ValueType::kDuration) {
    result = ValueType::kDuration;
  } else {
    static const char* kArith[] = {"+", "-", "*", "/", "%"};
    const char* sym = kArith[static_cast<int>(op) - static_cast<int>(ExprOp::kAdd)];
    return fail("E052", fmt::format("'{}' cannot combine {} and {}", sym, TypeLabel(lt),
                                    TypeLabel(rt)));
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
    ctx_->diags->Error(e.offset, "E054",
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
