// The guard every API route runs its handler under (Api::Impl::Route): what a handler lets
// escape never reaches the client as a library's words.
#pragma once

#include "connectors/http/api_internal.h"

namespace closeloop::http {

// Runs `handler`; an exception escaping it (a library's, thrown on input nobody foresaw)
// answers 500 with a generic JSON error and no header of the handler's. The exception's
// text goes to the server log only: it may quote the request, and cpp-httplib's own
// handler would copy it into a response header.
void RunGuarded(const Handler& handler, Call& call);

}  // namespace closeloop::http
