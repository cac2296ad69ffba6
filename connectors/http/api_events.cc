// POST /v1/events: agencies publish one event, a JSON array of them, or NDJSON lines. The
// whole request is validated first and appended in one atomic write, or not at all; it is
// answered only once durable. Idempotent on the event id.
#include <string_view>

#include "connectors/file/ingress.h"
#include "connectors/http/api_internal.h"
#include "events/json_locator.h"
#include "events/record.h"

namespace closeloop::http {
namespace {

struct Item {
  std::string_view text;
  int line = 1;  // where the item starts in the body
  int column = 1;
};

struct Position {
  int line = 1, column = 1;
};

Position At(std::string_view body, size_t offset) {
  auto lc = events::LineColumnAt(body, offset);
  return {lc.line, lc.column};
}

// Splits a JSON array's top-level elements without parsing them (each is parsed by the
// ingress boundary, which reports errors in its own terms). Strings and escapes are
// followed so brackets inside them do not count. Returns the offset of a problem, or npos.
size_t SplitArray(std::string_view body, size_t open, std::vector<std::pair<size_t, size_t>>* out) {
  int depth = 0;
  bool in_string = false, escaped = false;
  size_t start = std::string_view::npos;
  for (size_t i = open + 1; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (start == std::string_view::npos) {
      if (c == ']' && depth == 0 && out->empty()) return std::string_view::npos;  // []
      start = i;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[')
      ++depth;
    else if (c == '}' || c == ']') {
      if (depth == 0) {
        if (c != ']') return i;
        out->push_back({start, i});
        for (size_t k = i + 1; k < body.size(); ++k) {
          if (!isspace(static_cast<unsigned char>(body[k]))) return k;
        }
        return std::string_view::npos;
      }
      --depth;
    } else if (c == ',' && depth == 0) {
      out->push_back({start, i});
      start = std::string_view::npos;
    }
  }
  return body.size();
}

}  // namespace

void Api::Impl::RegisterEvents(httplib::Server& s) {
  Route(s, "POST", "/v1/events", Roles({Role::kPublisher, Role::kAdmin}), [this](Call& c) {
    const std::string& body = c.req.body;
    std::string ct = c.req.get_header_value("Content-Type");
    bool ndjson = ct.rfind("application/x-ndjson", 0) == 0;
    if (!ndjson && ct.rfind("application/json", 0) != 0) {
      return c.Error(415, "unsupported_media_type",
                     "send application/json (one event or an array) or application/x-ndjson");
    }
    std::vector<Item> items;
    if (ndjson) {
      size_t start = 0;
      int line = 1;
      while (start <= body.size()) {
        size_t nl = body.find('\n', start);
        std::string_view text(body.data() + start,
                              (nl == std::string::npos ? body.size() : nl) - start);
        if (text.find_first_not_of(" \t\r") != std::string_view::npos) {
          items.push_back({text, line, 1});
        }
        if (nl == std::string::npos) break;
        start = nl + 1;
        ++line;
      }
    } else {
      size_t first = body.find_first_not_of(" \t\r\n");
      if (first == std::string::npos) return c.Error(400, "empty", "the body is empty");
      if (body[first] == '[') {
        std::vector<std::pair<size_t, size_t>> spans;
        size_t bad = SplitArray(body, first, &spans);
        if (bad != std::string::npos) {
          Position p = At(body, bad);
          return c.Error(400, "bad_json", "malformed JSON array", "", p.line, p.column);
        }
        for (auto [b, e] : spans) {
          Position p = At(body, b);
          items.push_back({std::string_view(body).substr(b, e - b), p.line, p.column});
        }
      } else {
        Position p = At(body, first);
        items.push_back({std::string_view(body).substr(first), p.line, p.column});
      }
    }
    if (items.empty()) return c.Error(400, "empty", "no events in the body");
    if (items.size() > o.max_batch) {
      return c.Error(413, "too_many_events",
                     "at most " + std::to_string(o.max_batch) + " events per request");
    }

    file::IngressPreparer preparer(partitions);
    int64_t now = b.wall_now();
    json errors = json::array();
    bool forbidden = false;
    std::vector<rocks::IngressItem> ready;
    for (size_t i = 0; i < items.size(); ++i) {
      const Item& it = items[i];
      // Who may publish what comes first: a publisher learns 403 without probing validation.
      json peek = json::parse(it.text, nullptr, false);
      if (peek.is_object()) {
        std::string type = peek.contains("body_type") && peek["body_type"].is_string()
                               ? peek["body_type"].get<std::string>()
                               : "";
        std::string source = peek.contains("source") && peek["source"].is_string()
                                 ? peek["source"].get<std::string>()
                                 : "";
        std::string problem, field = "body_type";
        auto t = events::BodyFromName(type);
        bool ingress = t != events::fb::Body::NONE &&
                       events::KindOf(t) == events::BodyKind::kIngress &&
                       t != events::fb::Body::StaffCommand;
        if (t != events::fb::Body::NONE && !ingress) {
          problem = type +
                    " cannot be published here (staff act through "
                    "/v1/tickets/{id}/actions, administrators through /v1/admin)";
        } else if (c.who().role == Role::kPublisher && !type.empty()) {
          const auto& allowed = c.who().event_types;
          if (source != c.who().agency) {
            problem = "this token publishes as source \"" + c.who().agency + "\"";
            field = "source";
          } else if (!allowed.empty() &&
                     std::find(allowed.begin(), allowed.end(), type) == allowed.end()) {
            problem = "this token may not publish " + type;
          }
        }
        if (!problem.empty()) {
          forbidden = true;
          errors.push_back({{"index", i},
                            {"line", it.line},
                            {"column", it.column},
                            {"field", field},
                            {"message", problem}});
          continue;
        }
      }
      file::PreparedRecord rec;
      std::vector<file::IngressError> errs;
      if (!preparer.Prepare(it.text, it.line, now, &rec, &errs)) {
        for (auto& e : errs) {
          int col = e.line == it.line && e.column > 0 ? e.column + it.column - 1 : e.column;
          errors.push_back({{"index", i},
                            {"line", e.line},
                            {"column", col},
                            {"field", e.field},
                            {"message", e.message}});
        }
        continue;
      }
      if (c.who().role == Role::kPublisher) {
        // The record as decoded must match what was checked above.
        const auto* r = *events::VerifyRecord(rec.bytes);
        if (r->source() == nullptr || r->source()->str() != c.who().agency) {
          forbidden = true;
          errors.push_back(
              {{"index", i},
               {"line", it.line},
               {"column", it.column},
               {"field", "source"},
               {"message", "this token publishes as source \"" + c.who().agency + "\""}});
          continue;
        }
      }
      ready.push_back({rec.id, std::move(rec.bytes), std::move(rec.partitions)});
    }
    if (!errors.empty()) {
      int status = forbidden ? 403 : 400;
      const json& e0 = errors[0];
      c.Json(status,
             {{"error",
               {{"status", status},
                {"code", forbidden ? "forbidden" : "invalid_event"},
                {"message",
                 std::to_string(errors.size()) + " problem(s); nothing was recorded. First: " +
                     e0["field"].get<std::string>() + ": " + e0["message"].get<std::string>()},
                {"field", e0["field"]},
                {"line", e0["line"]},
                {"column", e0["column"]},
                {"errors", errors}}}});
      return;
    }
    auto acks = b.publish(ready);
    if (!acks.ok()) return c.Fail(acks.status());
    json out = json::array();
    size_t fresh = 0;
    for (const auto& a : *acks) {
      if (!a.duplicate) ++fresh;
      out.push_back({{"id", a.id},
                     {"partition", a.partition},
                     {"offset", a.offset},
                     {"duplicate", a.duplicate}});
    }
    c.detail = std::to_string(fresh) + " recorded, " + std::to_string(acks->size() - fresh) +
               " duplicate(s)";
    c.Json(fresh > 0 ? 201 : 200,
           {{"recorded", fresh}, {"duplicates", acks->size() - fresh}, {"events", out}});
  });
}

}  // namespace closeloop::http
