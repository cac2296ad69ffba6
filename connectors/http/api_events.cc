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

// POST /v1/events: one event, an array or NDJSON lines; every item checked, then all appended or
// none.
void Api::Impl::PostEvents(Call& c) {
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

  // One authorization decision, on the record as decoded, i.e. the record that would be
  // appended: here only ingress events; a publisher only as its own agency and only its
  // event types. Control records go through /v1/admin; staff commands through actions.
  file::PublishPolicy policy;
  policy.who = "this token";
  if (c.who().role == Role::kPublisher) {
    policy.source = c.who().agency;
    policy.event_types = c.who().event_types;
  }
  file::IngressPreparer preparer(partitions, policy);
  int64_t now = b.wall_now();
  json errors = json::array();
  bool forbidden = false;
  std::vector<events::IngressItem> ready;
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& it = items[i];
    file::PreparedRecord rec;
    std::vector<file::IngressError> errs;
    if (!preparer.Prepare(it.text, it.line, now, &rec, &errs)) {
      for (auto& e : errs) {
        int col = e.line == it.line && e.column > 0 ? e.column + it.column - 1 : e.column;
        forbidden = forbidden || e.forbidden;
        errors.push_back({{"index", i},
                          {"line", e.line},
                          {"column", col},
                          {"field", e.field},
                          {"message", e.message}});
      }
      continue;
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
  if (!acks.ok() && acks.status().code() == Code::kAlreadyExists) {
    // An id already used by other content: nothing of the request was recorded.
    json conflict = {{"status", 409},
                     {"code", "conflict"},
                     {"field", "id"},
                     {"message", acks.status().message() + "; nothing was recorded"}};
    for (size_t i = 0; i < ready.size(); ++i) {
      if (acks.status().message().find("id " + ready[i].id + " ") == 0) {
        conflict["index"] = i;
        conflict["line"] = items[i].line;
        conflict["column"] = items[i].column;
        break;
      }
    }
    c.Json(409, {{"error", conflict}});
    return;
  }
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
}

void Api::Impl::RegisterEvents(httplib::Server& s) {
  Route(s, "POST", "/v1/events", Roles({Role::kPublisher, Role::kAdmin}),
        [this](Call& c) { PostEvents(c); });
}

}  // namespace closeloop::http
