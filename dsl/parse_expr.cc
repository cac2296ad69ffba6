#include "dsl/parse_expr.h"

#include "dsl/compile.h"

namespace closeloop::dsl {
namespace {

bool UnitWord(std::string_view w, DurationUnit* unit) {
  if (w == "minute" || w == "minutes") {
    *unit = DurationUnit::kMinutes;
    return true;
  }
  if (w == "hour" || w == "hours") {
    *unit = DurationUnit::kHours;
    return true;
  }
  if (w == "day" || w == "days") {
    *unit = DurationUnit::kDays;
    return true;
  }
  if (w == "month" || w == "months") {
    *unit = DurationUnit::kMonths;
    return true;
  }
  return false;
}

class ExprParser {
 public:
  explicit ExprParser(Cursor* c) : c_(c) {}

  bool Parse(ast::Expr* out) { return Or(out); }

 private:
  bool Enter() {
    if (++depth_ > kMaxNesting) {
      return c_->FailAt(c_->Peek().offset, "E007",
                        "expression nested too deeply (limit " + std::to_string(kMaxNesting) + ")");
    }
    return true;
  }

  static ast::Expr Binary(ExprOp op, ast::Expr lhs, ast::Expr rhs, uint32_t offset) {
    ast::Expr e;
    e.kind = ast::Expr::Kind::kBinary;
    e.op = op;
    e.offset = offset;
    e.args.push_back(std::move(lhs));
    e.args.push_back(std::move(rhs));
    return e;
  }

  ast::Expr Chain(ExprOp op, ast::Expr first) {
    ast::Expr e;
    e.kind = ast::Expr::Kind::kBinary;
    e.op = op;
    e.offset = c_->Peek().offset;
    e.args.push_back(std::move(first));
    return e;
  }

  // Left-associative operators build a left-deep tree; bound its depth like nesting.
  bool Link(int* links) {
    if (++*links > kMaxNesting) {
      return c_->FailAt(
          c_->Peek().offset, "E007",
          "expression too long (more than " + std::to_string(kMaxNesting) + " operators in a row)");
    }
    return true;
  }

  bool Or(ast::Expr* out) {
    if (!Enter()) return false;
    if (!And(out)) return false;
    if (c_->AtWord("or")) {
      // n-ary, so a long chain of `or` is one node, not a deep tree.
      ast::Expr chain = Chain(ExprOp::kOr, std::move(*out));
      while (c_->AtWord("or")) {
        c_->Next();
        ast::Expr rhs;
        if (!And(&rhs)) return false;
        chain.args.push_back(std::move(rhs));
      }
      *out = std::move(chain);
    }
    --depth_;
    return true;
  }

  bool And(ast::Expr* out) {
    if (!Not(out)) return false;
    if (c_->AtWord("and")) {
      ast::Expr chain = Chain(ExprOp::kAnd, std::move(*out));
      while (c_->AtWord("and")) {
        c_->Next();
        ast::Expr rhs;
        if (!Not(&rhs)) return false;
        chain.args.push_back(std::move(rhs));
      }
      *out = std::move(chain);
    }
    return true;
  }

  bool Not(ast::Expr* out) {
    if (c_->AtWord("not")) {
      uint32_t at = c_->Next().offset;
      if (!Enter()) return false;
      ast::Expr operand;
      if (!Not(&operand)) return false;
      --depth_;
      out->kind = ast::Expr::Kind::kUnary;
      out->op = ExprOp::kNot;
      out->offset = at;
      out->args.clear();
      out->args.push_back(std::move(operand));
      return true;
    }
    return Compare(out);
  }

  bool Compare(ast::Expr* out) {
    if (!Sum(out)) return false;
    ExprOp op = ExprOp::kLiteral;
    switch (c_->Peek().kind) {
      case Tok::kEq:
        op = ExprOp::kEq;
        break;
      case Tok::kNe:
        op = ExprOp::kNe;
        break;
      case Tok::kLt:
        op = ExprOp::kLt;
        break;
      case Tok::kLe:
        op = ExprOp::kLe;
        break;
      case Tok::kGt:
        op = ExprOp::kGt;
        break;
      case Tok::kGe:
        op = ExprOp::kGe;
        break;
      case Tok::kAssign:
        return c_->FailAt(c_->Peek().offset, "E006",
                          "expected an operator, found '=' (comparison is written '==')");
      default:
        break;
    }
    if (op != ExprOp::kLiteral) {
      uint32_t at = c_->Next().offset;
      ast::Expr rhs;
      if (!Sum(&rhs)) return false;
      *out = Binary(op, std::move(*out), std::move(rhs), at);
      return true;
    }
    bool negated = false;
    if (c_->AtWord("not") && c_->Peek(1).kind == Tok::kIdent && c_->Peek(1).text == "in") {
      c_->Next();
      negated = true;
    }
    if (!c_->AtWord("in")) return true;
    uint32_t at = c_->Next().offset;
    ast::Expr e;
    e.kind = ast::Expr::Kind::kIn;
    e.op = ExprOp::kIn;
    e.negated = negated;
    e.offset = at;
    e.args.push_back(std::move(*out));
    if (!c_->Expect(Tok::kLBracket, "'[' starting a list")) return false;
    if (!Enter()) return false;
    do {
      ast::Expr item;
      if (!Sum(&item)) return false;
      e.args.push_back(std::move(item));
    } while (c_->Accept(Tok::kComma));
    --depth_;
    if (!c_->Expect(Tok::kRBracket, "',' or ']'")) return false;
    *out = std::move(e);
    return true;
  }

  bool Sum(ast::Expr* out) {
    if (!Product(out)) return false;
    int links = 0;
    while (c_->At(Tok::kPlus) || c_->At(Tok::kMinus)) {
      if (!Link(&links)) return false;
      ExprOp op = c_->At(Tok::kPlus) ? ExprOp::kAdd : ExprOp::kSub;
      uint32_t at = c_->Next().offset;
      ast::Expr rhs;
      if (!Product(&rhs)) return false;
      *out = Binary(op, std::move(*out), std::move(rhs), at);
    }
    return true;
  }

  bool Product(ast::Expr* out) {
    if (!Unary(out)) return false;
    int links = 0;
    while (c_->At(Tok::kStar) || c_->At(Tok::kSlash) || c_->At(Tok::kPercent)) {
      if (!Link(&links)) return false;
      ExprOp op = c_->At(Tok::kStar)    ? ExprOp::kMul
                  : c_->At(Tok::kSlash) ? ExprOp::kDiv
                                        : ExprOp::kMod;
      uint32_t at = c_->Next().offset;
      ast::Expr rhs;
      if (!Unary(&rhs)) return false;
      *out = Binary(op, std::move(*out), std::move(rhs), at);
    }
    return true;
  }

  bool Unary(ast::Expr* out) {
    if (c_->At(Tok::kMinus)) {
      uint32_t at = c_->Next().offset;
      if (!Enter()) return false;
      ast::Expr operand;
      if (!Unary(&operand)) return false;
      --depth_;
      out->kind = ast::Expr::Kind::kUnary;
      out->op = ExprOp::kNeg;
      out->offset = at;
      out->args.clear();
      out->args.push_back(std::move(operand));
      return true;
    }
    return Primary(out);
  }

  bool Primary(ast::Expr* out) {
    const Token& t = c_->Peek();
    out->offset = t.offset;
    out->kind = ast::Expr::Kind::kLiteral;
    out->op = ExprOp::kLiteral;
    if (AtDuration(*c_)) {
      ast::Duration d;
      if (!ParseDuration(c_, &d)) return false;
      out->literal = Value::Of(Duration{d.count, d.unit, ""});
      out->duration = std::move(d);  // the checker resolves the calendar
      return true;
    }
    switch (t.kind) {
      case Tok::kInt:
        out->literal = Value::Int(c_->Next().int_value);
        return true;
      case Tok::kNumber:
        out->literal = Value::Double(c_->Next().number);
        return true;
      case Tok::kString:
        out->literal = Value::String(c_->Next().text);
        return true;
      case Tok::kLParen: {
        c_->Next();
        if (!Or(out)) return false;
        return c_->Expect(Tok::kRParen, "')'");
      }
      case Tok::kIdent:
        return Name(out);
      default:
        return c_->Fail("an expression");
    }
  }

  bool Name(ast::Expr* out) {
    const Token& t = c_->Peek();
    if (t.text == "true" || t.text == "false") {
      out->literal = Value::Bool(c_->Next().text == "true");
      return true;
    }
    if (t.text == "null") {
      c_->Next();
      out->literal = Value();
      return true;
    }
    if (t.text == "and" || t.text == "or" || t.text == "in" || t.text == "not") {
      return c_->Fail("an expression");
    }
    out->kind = ast::Expr::Kind::kPath;
    out->path.push_back(ast::Name{c_->Next().text, t.offset});
    while (c_->Accept(Tok::kDot)) {
      ast::Name part;
      if (!c_->ExpectName(&part, "a field name after '.'")) return false;
      out->path.push_back(std::move(part));
    }
    if (c_->Accept(Tok::kLBracket)) {
      out->kind = ast::Expr::Kind::kIndex;
      if (!c_->ExpectString(&out->key, "a string key, as in event.attrs[\"plant\"]")) return false;
      return c_->Expect(Tok::kRBracket, "']'");
    }
    if (out->path.size() == 1 && c_->Accept(Tok::kLParen)) {
      out->kind = ast::Expr::Kind::kCall;
      do {
        ast::Expr arg;
        if (!Or(&arg)) return false;
        out->args.push_back(std::move(arg));
      } while (c_->Accept(Tok::kComma));
      return c_->Expect(Tok::kRParen, "')'");
    }
    return true;
  }

  Cursor* c_;
  int depth_ = 0;
};

}  // namespace

bool AtDuration(const Cursor& c) {
  const Token& t = c.Peek();
  if (t.kind == Tok::kDuration) return true;
  if (t.kind != Tok::kInt) return false;
  const Token& u = c.Peek(1);
  if (u.kind != Tok::kIdent) return false;
  DurationUnit unit;
  return u.text == "working" || UnitWord(u.text, &unit);
}

bool ParseDuration(Cursor* c, ast::Duration* out) {
  const Token& t = c->Peek();
  out->offset = t.offset;
  if (t.kind == Tok::kDuration) {
    if (t.bad) return c->Fail("a duration");
    out->count = t.int_value;
    out->unit = t.unit;
    c->Next();
    return true;
  }
  if (!c->ExpectInt(&out->count, "a duration (e.g. 2 hours, 3 working days)")) return false;
  if (c->AcceptWord("working")) {
    if (c->AcceptWord("day") || c->AcceptWord("days")) {
      out->unit = DurationUnit::kWorkingDays;
    } else if (c->AcceptWord("hour") || c->AcceptWord("hours")) {
      out->unit = DurationUnit::kWorkingHours;
    } else {
      return c->FailAt(c->Peek().offset, "E009",
                       "expected 'days' or 'hours' after 'working', found " + Describe(c->Peek()));
    }
    if (c->AtWord("on") && !c->Peek().line_start && c->Peek(1).kind == Tok::kIdent &&
        !c->Peek(1).line_start) {
      c->Next();
      ast::Name cal;
      if (!c->ExpectName(&cal, "a calendar name")) return false;
      out->calendar = cal;
    }
    return true;
  }
  if (c->At(Tok::kIdent) && UnitWord(c->Peek().text, &out->unit)) {
    c->Next();
    return true;
  }
  return c->FailAt(c->Peek().offset, "E009",
                   "expected a duration unit (minutes, hours, days, working days, working hours, "
                   "months), found " +
                       Describe(c->Peek()));
}

bool ParseExpr(Cursor* c, ast::Expr* out) { return ExprParser(c).Parse(out); }

bool ParseAssignments(Cursor* c, std::vector<ast::Assign>* out) {
  do {
    ast::Assign a;
    if (!c->ExpectName(&a.fact, "a fact name")) return false;
    if (!c->Expect(Tok::kAssign, "'='")) return false;
    if (!ParseExpr(c, &a.value)) return false;
    out->push_back(std::move(a));
  } while (c->Accept(Tok::kComma));
  return true;
}

}  // namespace closeloop::dsl
