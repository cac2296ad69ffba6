// FormatExpr(): the normalised source form of a compiled expression, with parentheses only
// where precedence needs them. Used by explain and by run-time reports.
#include <string>

#include "dsl/expr.h"

namespace closeloop::dsl {
namespace {

// Binding strength; higher binds tighter.
int Precedence(ExprOp op) {
  switch (op) {
    case ExprOp::kOr:
      return 1;
    case ExprOp::kAnd:
      return 2;
    case ExprOp::kNot:
      return 3;
    case ExprOp::kEq:
    case ExprOp::kNe:
    case ExprOp::kLt:
    case ExprOp::kLe:
    case ExprOp::kGt:
    case ExprOp::kGe:
    case ExprOp::kIn:
      return 4;
    case ExprOp::kAdd:
    case ExprOp::kSub:
      return 5;
    case ExprOp::kMul:
    case ExprOp::kDiv:
    case ExprOp::kMod:
      return 6;
    case ExprOp::kNeg:
      return 7;
    default:
      return 8;
  }
}

std::string_view Symbol(ExprOp op) {
  switch (op) {
    case ExprOp::kOr:
      return " or ";
    case ExprOp::kAnd:
      return " and ";
    case ExprOp::kEq:
      return " == ";
    case ExprOp::kNe:
      return " != ";
    case ExprOp::kLt:
      return " < ";
    case ExprOp::kLe:
      return " <= ";
    case ExprOp::kGt:
      return " > ";
    case ExprOp::kGe:
      return " >= ";
    case ExprOp::kAdd:
      return " + ";
    case ExprOp::kSub:
      return " - ";
    case ExprOp::kMul:
      return " * ";
    case ExprOp::kDiv:
      return " / ";
    case ExprOp::kMod:
      return " % ";
    default:
      return " ? ";
  }
}

void Format(const Expr& e, int min_prec, std::string* out);

void FormatChild(const Expr& e, int min_prec, std::string* out) { Format(e, min_prec, out); }

void Format(const Expr& e, int min_prec, std::string* out) {
  const int prec = Precedence(e.op);
  const bool parens = prec < min_prec;
  if (parens) *out += '(';
  switch (e.op) {
    case ExprOp::kLiteral:
      *out += e.literal.ToString();
      break;
    case ExprOp::kEventField:
      *out += "event." + e.name;
      break;
    case ExprOp::kEventAttr:
      *out += "event." + e.name + "[" + QuoteString(e.key) + "]";
      break;
    case ExprOp::kTicketFact:
      *out += "ticket." + e.name;
      break;
    case ExprOp::kMemberField:
      *out += "member." + e.name;
      break;
    case ExprOp::kSubject:
      *out += "subject";
      break;
    case ExprOp::kNow:
      *out += "now";
      break;
    case ExprOp::kRecent:
      *out += "recurrences(";
      if (!e.args.empty()) Format(e.args[0], 0, out);
      *out += ')';
      break;
    case ExprOp::kSegments:
      *out += e.args.size() == 2 && e.args[1].literal == Value::Int(2) ? "street(" : "district(";
      if (!e.args.empty()) Format(e.args[0], 0, out);
      *out += ')';
      break;
    case ExprOp::kContains:
      *out += "contains(";
      if (e.args.size() == 2) {
        Format(e.args[0], 0, out);
        *out += ", ";
        Format(e.args[1], 0, out);
      }
      *out += ')';
      break;
    case ExprOp::kNot:
      *out += "not ";
      if (!e.args.empty()) FormatChild(e.args[0], prec, out);
      break;
    case ExprOp::kNeg:
      *out += '-';
      if (!e.args.empty()) FormatChild(e.args[0], prec, out);
      break;
    case ExprOp::kIn:
      if (!e.args.empty()) FormatChild(e.args[0], prec + 1, out);
      *out += " in [";
      for (size_t i = 1; i < e.args.size(); ++i) {
        if (i > 1) *out += ", ";
        Format(e.args[i], 0, out);
      }
      *out += ']';
      break;
    case ExprOp::kAnd:
    case ExprOp::kOr:
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i > 0) *out += Symbol(e.op);
        FormatChild(e.args[i], prec + 1, out);
      }
      break;
    default:  // binary, left-associative
      if (e.args.size() == 2) {
        FormatChild(e.args[0], prec, out);
        *out += Symbol(e.op);
        FormatChild(e.args[1], prec + 1, out);
      }
      break;
  }
  if (parens) *out += ')';
}

}  // namespace

std::string FormatExpr(const Expr& e) {
  std::string out;
  Format(e, 0, &out);
  return out;
}

}  // namespace closeloop::dsl
