// What must not leak from a request: which query parameters carry credentials, a request
// target with their values blanked (what the access log keeps), and whether a client is on
// this machine (what the demo's credentials endpoint admits).
#pragma once

#include <string>
#include <string_view>

namespace closeloop::http {

// True when the query string of `target` (path?query) has a parameter named `name`
// (compared after percent-decoding, so "acc%65ss_token" is access_token).
bool QueryHas(std::string_view target, std::string_view name);

// `target` with the value of every credential parameter (access_token, stream_ticket,
// api_key, token, password, secret; matched after percent-decoding, case-insensitively)
// replaced by "[redacted]"; the parameter's name stays, so an auditor sees it was sent.
std::string RedactTarget(std::string_view target);

// True for 127.0.0.0/8, ::1 and IPv4-mapped 127.x (::ffff:127.0.0.1); false for anything
// else, including an empty or malformed address.
bool IsLoopbackAddress(std::string_view address);

}  // namespace closeloop::http
