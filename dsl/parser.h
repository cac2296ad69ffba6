// Parser: tokens -> syntax tree (ast.h). Reports syntax errors (E006..E015, E028) and keeps
// going: after an error it skips to the next line that starts a statement, so one mistake
// gives one diagnostic. A workflow with a syntax error is marked so the checker skips it
// (its name still counts, so references to it do not cascade).
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>

#include "dsl/ast.h"
#include "dsl/diag_sink.h"

namespace closeloop::dsl {

ast::File Parse(std::string_view source, DiagSink* diags);

}  // namespace closeloop::dsl
