// What a workflow shows the people who use it: the `verb` statement and the `field` lines
// that declare what a verb takes, and the `service` statement (what Open311 clients may
// request). parser.cc has the whole grammar. Internal to dsl/; reports one diagnostic and
// returns false on error.
#pragma once

#include "dsl/ast.h"
#include "dsl/cursor.h"

namespace closeloop::dsl {

// verb NAME [title STRING [zh STRING]]
bool ParseVerb(Cursor* c, ast::Workflow* wf);
// field NAME : KIND [required] [title STRING [zh STRING]], belonging to the last verb.
// KIND := text | yes_no | number [from NUM to NUM] | working days [up to INT] | department
//       | attachments | one of (STRING [title STRING] [zh STRING], ...)
bool ParseField(Cursor* c, ast::Workflow* wf);
// service CODE title STRING [zh STRING] [description STRING [zh STRING]] [group STRING [zh STRING]]
bool ParseService(Cursor* c, ast::Workflow* wf);

}  // namespace closeloop::dsl
