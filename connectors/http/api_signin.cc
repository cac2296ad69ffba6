// Who is calling: the bearer header (or, for the live stream only, a stream ticket), never a
// credential in the URL. See docs/operations.md, "Tokens and secrets".
#include "connectors/http/api_internal.h"
#include "connectors/http/secrets.h"

namespace closeloop::http {
namespace {

std::string BearerToken(const httplib::Request& req) {
  std::string h = req.get_header_value("Authorization");
  if (h.size() > 7 && (h.rfind("Bearer ", 0) == 0 || h.rfind("bearer ", 0) == 0)) {
    return h.substr(7);
  }
  return "";
}

bool Refuse(Call& c, std::string_view challenge, std::string_view code, std::string_view message,
            std::string_view field = "") {
  c.res.set_header("WWW-Authenticate", std::string(challenge));
  c.Error(401, code, message, field);
  return false;
}

}  // namespace

bool Api::Impl::SignIn(Call& c, const std::string& method, const std::string& pattern,
                       uint32_t roles) {
  const httplib::Request& req = c.req;
  if (QueryHas(req.target, "access_token")) {
    return Refuse(c, "Bearer error=\"invalid_request\"", "token_in_url",
                  "access_token in the URL is refused: URLs are kept in logs, proxies and "
                  "browser history. Send Authorization: Bearer <token> (EventSource: POST "
                  "/v1/stream/ticket, then GET /v1/stream?stream_ticket=...)",
                  "access_token");
  }
  const bool stream = method == "GET" && pattern == "/v1/stream";
  const bool has_ticket = QueryHas(req.target, "stream_ticket");
  if (has_ticket && !stream) {
    return Refuse(c, "Bearer error=\"invalid_request\"", "ticket_not_for_route",
                  "a stream ticket opens GET /v1/stream only; send Authorization: Bearer <token>",
                  "stream_ticket");
  }
  if (roles == kPublic) return true;

  const int64_t now = b.wall_now();
  std::string token = BearerToken(req);
  Result<Authentication> who = Authentication{};
  if (!token.empty()) {
    who = auth.Authenticate(token, now);
  } else if (has_ticket) {
    std::string why;
    auto hash = stream_tickets.Redeem(req.get_param_value("stream_ticket"), now, &why);
    if (!hash) {
      return Refuse(c, "Bearer error=\"invalid_token\"", "invalid_ticket", why, "stream_ticket");
    }
    who = auth.AuthenticateHash(*hash, now);
  } else {
    return Refuse(c, "Bearer", "unauthenticated", "send Authorization: Bearer <token>");
  }
  if (!who.ok()) {
    c.Fail(who.status());
    return false;
  }
  if (!who->user) {
    bool expired = who->token.expires_at > 0 && who->token.expires_at <= now;
    return Refuse(c, "Bearer error=\"invalid_token\"",
                  expired ? "token_expired" : "unauthenticated", who->refusal);
  }
  c.user = std::move(who->user);
  c.token = std::move(who->token);
  c.token_hash = std::move(who->hash);
  return true;
}

}  // namespace closeloop::http
