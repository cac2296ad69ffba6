// Expressions and durations: the parts of the grammar shared by every statement.
// Internal to dsl/.
//
//   expr    := or
//   or      := and ('or' and)*
//   and     := not ('and' not)*
//   not     := 'not' not | compare
//   compare := sum (('=='|'!='|'<'|'<='|'>'|'>=') sum | ['not'] 'in' '[' expr {',' expr} ']')?
//   sum     := product (('+'|'-') product)*
//   product := unary (('*'|'/'|'%') unary)*
//   unary   := '-' unary | primary
//   primary := INT | NUMBER | STRING | duration | 'true' | 'false' | 'null'
//            | '(' expr ')' | NAME ('.' NAME)* ['[' STRING ']'] | NAME '(' duration ')'
//   duration:= INT unit | INT 'working' ('day'|'days'|'hour'|'hours') ['on' CALENDAR]
//            | 2h | 30m | 30min | 3d
//   unit    := minute(s) | hour(s) | day(s) | month(s)
// `on CALENDAR` must stay on the duration's line, so a following `on verb` line is never
// mistaken for it.
#pragma once

#include "dsl/ast.h"
#include "dsl/cursor.h"

namespace closeloop::dsl {

// True when the cursor is at the start of a duration (INT + unit word, or 2h).
bool AtDuration(const Cursor& c);
bool ParseDuration(Cursor* c, ast::Duration* out);
// Reports E007 when nested deeper than kMaxNesting.
bool ParseExpr(Cursor* c, ast::Expr* out);
// FACT = expr {, FACT = expr}
bool ParseAssignments(Cursor* c, std::vector<ast::Assign>* out);

}  // namespace closeloop::dsl
