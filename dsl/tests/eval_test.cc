// The evaluator's defined results: every operator, every mismatch, never a crash.
#include <doctest/doctest.h>

#include <climits>
#include <map>

#include "dsl/compile.h"
#include "dsl/expr.h"

namespace closeloop::dsl {
namespace {

// An Env over maps: what the engine's implementation does with records and tickets.
class MapEnv : public Env {
 public:
  std::map<std::string, Value> event, ticket, member;
  std::map<std::string, std::string> attrs;
  Value recurrences;
  Value EventField(std::string_view n) const override { return Get(event, n); }
  Value EventAttr(std::string_view field, std::string_view key) const override {
    if (field != "attrs") return Value();
    auto it = attrs.find(std::string(key));
    return it == attrs.end() ? Value() : Value::String(it->second);
  }
  Value TicketFact(std::string_view n) const override { return Get(ticket, n); }
  Value MemberField(std::string_view n) const override { return Get(member, n); }
  Value Subject() const override { return Value::String("plant-7"); }
  int64_t Now() const override { return 1767225600000; }
  Value Recurrences(const Duration& window) const override {
    return window.count == 90 ? recurrences : Value();
  }

 private:
  static Value Get(const std::map<std::string, Value>& m, std::string_view n) {
    auto it = m.find(std::string(n));
    return it == m.end() ? Value() : it->second;
  }
};

Expr Lit(Value v) {
  Expr e;
  e.op = ExprOp::kLiteral;
  e.literal = std::move(v);
  return e;
}
Expr Op(ExprOp op, std::vector<Expr> args) {
  Expr e;
  e.op = op;
  e.args = std::move(args);
  return e;
}
Value Eval(const Expr& e) { return Evaluate(e, MapEnv()); }

// Compiles `cond` as the condition of a SensorAlarm start rule and returns the expression.
Expr Condition(const std::string& cond) {
  std::string src = "workflow w version 1 loop prevention\nstart on SensorAlarm when " + cond +
                    "\n  enter open\nstate open\n  on close by assignee -> done\n"
                    "state done terminal\n";
  CompileResult r = Compile({{"t.wf", src}});
  INFO(FormatDiagnostics({{"t.wf", src}}, r.diagnostics));
  REQUIRE(r.ok());
  return *r.program->workflows[0].starts[0].condition;
}

TEST_CASE("integer arithmetic yields null on overflow and division by zero, not a crash") {
  CHECK(Eval(Op(ExprOp::kAdd, {Lit(Value::Int(INT64_MAX)), Lit(Value::Int(1))})).is_null());
  CHECK(Eval(Op(ExprOp::kMul, {Lit(Value::Int(INT64_MIN)), Lit(Value::Int(-1))})).is_null());
  CHECK(Eval(Op(ExprOp::kDiv, {Lit(Value::Int(INT64_MIN)), Lit(Value::Int(-1))})).is_null());
  CHECK(Eval(Op(ExprOp::kDiv, {Lit(Value::Int(7)), Lit(Value::Int(0))})).is_null());
  CHECK(Eval(Op(ExprOp::kMod, {Lit(Value::Int(7)), Lit(Value::Int(0))})).is_null());
  CHECK(Eval(Op(ExprOp::kNeg, {Lit(Value::Int(INT64_MIN))})).is_null());
  CHECK(Eval(Op(ExprOp::kDiv, {Lit(Value::Int(7)), Lit(Value::Int(2))})) == Value::Int(3));
  CHECK(Eval(Op(ExprOp::kMod, {Lit(Value::Int(7)), Lit(Value::Int(2))})) == Value::Int(1));
  CHECK(Eval(Op(ExprOp::kDiv, {Lit(Value::Double(1)), Lit(Value::Int(0))})).is_null());
}

TEST_CASE("mixed int and number arithmetic and comparison are numeric") {
  CHECK(Eval(Op(ExprOp::kAdd, {Lit(Value::Int(1)), Lit(Value::Double(0.5))})) ==
        Value::Double(1.5));
  CHECK(Eval(Op(ExprOp::kEq, {Lit(Value::Int(2)), Lit(Value::Double(2.0))})).truthy());
  CHECK(Eval(Op(ExprOp::kLt, {Lit(Value::Int(2)), Lit(Value::Double(2.5))})).truthy());
}

TEST_CASE("comparisons across types are false and != across types is true") {
  CHECK_FALSE(Eval(Op(ExprOp::kEq, {Lit(Value::String("1")), Lit(Value::Int(1))})).truthy());
  CHECK(Eval(Op(ExprOp::kNe, {Lit(Value::String("1")), Lit(Value::Int(1))})).truthy());
  CHECK_FALSE(Eval(Op(ExprOp::kLt, {Lit(Value()), Lit(Value::Int(1))})).truthy());
  CHECK_FALSE(Eval(Op(ExprOp::kGe, {Lit(Value::Bool(true)), Lit(Value::Bool(false))})).truthy());
  CHECK(Eval(Op(ExprOp::kEq, {Lit(Value()), Lit(Value())})).truthy());
}

TEST_CASE("and, or and not treat null and non-bools as false and always give a bool") {
  CHECK(Eval(Op(ExprOp::kAnd, {Lit(Value::Bool(true)), Lit(Value())})) == Value::Bool(false));
  CHECK(Eval(Op(ExprOp::kOr, {Lit(Value::Int(1)), Lit(Value::Bool(true))})) == Value::Bool(true));
  CHECK(Eval(Op(ExprOp::kNot, {Lit(Value())})) == Value::Bool(true));
  CHECK(Eval(Op(ExprOp::kAnd, {})) == Value::Bool(false));
}

TEST_CASE(
    "durations compare by length in calendar units and only like with like in working "
    "time") {
  Value two_hours = Value::Of(Duration{2, DurationUnit::kHours, ""});
  Value minutes = Value::Of(Duration{120, DurationUnit::kMinutes, ""});
  Value day = Value::Of(Duration{1, DurationUnit::kWorkingDays, "prc"});
  Value days = Value::Of(Duration{3, DurationUnit::kWorkingDays, "prc"});
  CHECK(Eval(Op(ExprOp::kEq, {Lit(two_hours), Lit(minutes)})).truthy());
  CHECK(Eval(Op(ExprOp::kLt, {Lit(day), Lit(days)})).truthy());
  CHECK_FALSE(Eval(Op(ExprOp::kLt, {Lit(day), Lit(two_hours)})).truthy());
  CHECK(Eval(Op(ExprOp::kAdd, {Lit(day), Lit(days)})) ==
        Value::Of(Duration{4, DurationUnit::kWorkingDays, "prc"}));
  CHECK(Eval(Op(ExprOp::kAdd, {Lit(day), Lit(two_hours)})).is_null());
}

TEST_CASE("a compiled condition reads event fields, enum names, attrs and ticket facts") {
  MapEnv env;
  env.event["state"] = Value::String("alarm");
  env.event["level"] = Value::String("critical");
  env.event["value"] = Value::Double(12.5);
  env.attrs["plant"] = "north";
  Expr e = Condition(
      "event.state == \"alarm\" and event.level in [\"alarm\", \"critical\"] and "
      "event.value > 10 and event.attrs[\"plant\"] == \"north\" and subject == \"plant-7\"");
  CHECK(Evaluate(e, env).truthy());
  env.event["level"] = Value::String("warning");
  CHECK_FALSE(Evaluate(e, env).truthy());
  env.event.clear();  // a record without those fields: false, not a crash
  CHECK_FALSE(Evaluate(e, env).truthy());
}

TEST_CASE("not in, arithmetic precedence and recurrences() evaluate as written") {
  MapEnv env;
  env.ticket["returns"] = Value::Int(2);
  env.recurrences = Value::Int(3);
  CHECK(Evaluate(Condition("returns * 2 + 1 == 5"), env).truthy());
  CHECK(Evaluate(Condition("(returns + 1) * 2 == 6"), env).truthy());
  CHECK(Evaluate(Condition("returns not in [0, 1]"), env).truthy());
  CHECK(Evaluate(Condition("recurrences(90 days) >= 3"), env).truthy());
  CHECK(Evaluate(Condition("-returns < 0 and 7 % 4 == 3 and 7 / 2 == 3"), env).truthy());
}

TEST_CASE("district() and street() take the leading parts of a jurisdiction code") {
  MapEnv env;
  env.ticket["jurisdiction"] = Value::String("xuanwu.meiyuan.g03");
  CHECK(Evaluate(Condition("district(jurisdiction) == \"xuanwu\""), env).truthy());
  CHECK(Evaluate(Condition("street(jurisdiction) == \"xuanwu.meiyuan\""), env).truthy());
  env.ticket["jurisdiction"] = Value::String("xuanwu");
  CHECK(Evaluate(Condition("street(jurisdiction) == \"xuanwu\""), env).truthy());
  env.ticket.clear();  // null in, null out: the comparison is false, nothing throws
  CHECK_FALSE(Evaluate(Condition("district(jurisdiction) == \"\""), env).truthy());
  CHECK(FormatExpr(Condition("street(jurisdiction) != \"\"")) ==
        "street(ticket.jurisdiction) != \"\"");
}

TEST_CASE("contains() tells whether one string holds another, and is refused on anything else") {
  MapEnv env;
  env.ticket["category"] = Value::String(";nj.liuhe.amr;;nj.liuhe.fire;");
  env.event["sensor_id"] = Value::String("nj.liuhe.fire");
  CHECK(Evaluate(Condition("contains(category, \";\" + event.sensor_id + \";\")"), env).truthy());
  env.event["sensor_id"] = Value::String("liuhe.fire;;nj");  // a part of two ids is no id
  CHECK_FALSE(
      Evaluate(Condition("contains(category, \";\" + event.sensor_id + \";\")"), env).truthy());
  CHECK(Evaluate(Condition("contains(category, \"\")"), env).truthy());
  env.ticket.clear();  // null: false, nothing throws
  CHECK_FALSE(Evaluate(Condition("contains(category, \"a\")"), env).truthy());
  CHECK(FormatExpr(Condition("not contains(category, \"x\")")) ==
        "not contains(ticket.category, \"x\")");
  for (const char* bad :
       {"contains(category)", "contains(category, 1)", "contains(category, \"a\", \"b\")",
        "district(category, category) == \"\""}) {
    std::string src =
        std::string("workflow w version 1 loop prevention\nstart on SensorAlarm when ") + bad +
        "\n  enter open\nstate open\n  on close by assignee -> done\n"
        "state done terminal\n";
    CompileResult r = Compile({{"t.wf", src}});
    CAPTURE(bad);
    bool e062 = false;
    for (const auto& d : r.diagnostics) e062 = e062 || d.code == "E062";
    CHECK(e062);
  }
}

TEST_CASE("FormatExpr prints the normalised source with only the parentheses it needs") {
  CHECK(FormatExpr(Condition("(returns + 1) * 2 == 6")) == "(ticket.returns + 1) * 2 == 6");
  CHECK(FormatExpr(Condition("not (returns > 1 or reopens > 1)")) ==
        "not (ticket.returns > 1 or ticket.reopens > 1)");
  CHECK(FormatExpr(Condition("returns - (1 - 2) > 0")) == "ticket.returns - (1 - 2) > 0");
  CHECK(FormatExpr(Condition("event.sensor_id != \"a\\\"b\"")) == "event.sensor_id != \"a\\\"b\"");
}

TEST_CASE("values print as literals") {
  CHECK(Value().ToString() == "null");
  CHECK(Value::Double(2).ToString() == "2.0");
  CHECK(Value::String("a\nb").ToString() == "\"a\\nb\"");
  CHECK(Value::Of(Duration{3, DurationUnit::kWorkingDays, "shanghai"}).ToString() ==
        "3 working days on shanghai");
  CHECK(Duration{2, DurationUnit::kHours, ""}.CalendarMillis() == 7200000);
  CHECK(Duration{2, DurationUnit::kWorkingHours, "prc"}.CalendarMillis() == -1);
}

}  // namespace
}  // namespace closeloop::dsl
