// ExprChecker, name resolution: event fields (against the record schema), envelope fields,
// ticket facts, member columns, `subject`, `now` and recurrences().
#include <fmt/format.h>

#include "dsl/check_expr.h"

namespace closeloop::dsl {
namespace {

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

std::string Clip(const std::string& s) { return s.size() > 40 ? s.substr(0, 40) + "..." : s; }

}  // namespace

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
    case reflection::Bool:
      t = Of(ValueType::kBool);
      break;
    case reflection::Byte:
    case reflection::UByte:
    case reflection::Short:
    case reflection::UShort:
    case reflection::Int:
    case reflection::UInt:
    case reflection::Long:
    case reflection::ULong:
      if (!info->enum_name.empty()) {
        t = Of(ValueType::kString);
        t.enum_values = ctx_->schema->EnumValues(info->enum_name);
        t.enum_label = info->enum_name.substr(info->enum_name.rfind('.') + 1);
      } else {
        t = Of(ValueType::kInt);
      }
      break;
    case reflection::Float:
    case reflection::Double:
      t = Of(ValueType::kDouble);
      break;
    case reflection::String:
      t = Of(ValueType::kString);
      break;
    default:
      if (attr_vector) {
        return fail(field.offset, "E046",
                    "'" + field.text + "' is a list of key/value pairs; write event." + field.text +
                        "[\"KEY\"]");
      }
      return fail(field.offset, "E046",
                  "field '" + field.text +
                      "' is a table or list and cannot be used in an "
                      "expression");
  }
  out->op = ExprOp::kEventField;
  out->name = field.text;
  *type = t;
  out->type = t.base;
  return true;
}

bool ExprChecker::Call(const ast::Expr& in, const Scope& scope, Expr* out, SType* type) {
  const std::string& fn = in.path[0].text;
  if (fn == "district" || fn == "street") {
    Expr arg;
    SType t;
    if (in.args.size() != 1) {
      ctx_->diags->Error(in.offset, "E062", fn + "() takes one jurisdiction string");
      *type = Error();
      return false;
    }
    if (!Check(in.args[0], scope, &arg, &t)) {
      *type = Error();
      return false;
    }
    if (t.base != ValueType::kString) {
      ctx_->diags->Error(in.args[0].offset, "E062",
                         fn + "() takes a jurisdiction string, found " + TypeLabel(t));
      *type = Error();
      return false;
    }
    out->op = ExprOp::kSegments;
    out->args.push_back(std::move(arg));
    Expr n;
    n.op = ExprOp::kLiteral;
    n.literal = Value::Int(fn == "district" ? 1 : 2);
    n.type = ValueType::kInt;
    out->args.push_back(std::move(n));
    *type = Of(ValueType::kString);
    out->type = ValueType::kString;
    return true;
  }
  if (fn == "contains") {
    if (in.args.size() != 2) {
      ctx_->diags->Error(in.offset, "E062",
                         "contains() takes two strings, e.g. contains(answered, event.department)");
      *type = Error();
      return false;
    }
    for (const auto& a : in.args) {
      Expr arg;
      SType t;
      if (!Check(a, scope, &arg, &t)) {
        *type = Error();
        return false;
      }
      if (t.base != ValueType::kString) {
        ctx_->diags->Error(a.offset, "E062", "contains() takes strings, found " + TypeLabel(t));
        *type = Error();
        return false;
      }
      out->args.push_back(std::move(arg));
    }
    out->op = ExprOp::kContains;
    *type = Of(ValueType::kBool);
    out->type = ValueType::kBool;
    return true;
  }
  if (fn != "recurrences") {
    ctx_->diags->Error(in.offset, "E041",
                       "unknown function '" + Clip(fn) +
                           "' (there are recurrences(), district(), street() and contains())");
    *type = Error();
    return false;
  }
  if (!scope.ticket) {
    ctx_->diags->Error(
        in.offset, "E042",
        "recurrences() needs a ticket and is not available " + std::string(scope.where));
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

}  // namespace closeloop::dsl
