// A ticket's case file for people: every ingress record about it (engine/case_file.h) as
// JSON, with its source, time and whole content; personal data (who reported, how to reach
// them) shown only to the roles that act on it, masked for everyone else (docs/api.md,
// "Personal data in the case file").
#include "connectors/http/api_internal.h"
#include "connectors/http/api_util.h"
#include "engine/case_file.h"
#include "events/record.h"

namespace closeloop::http {
namespace {

// The personal fields of ingress bodies: the reporter's or requester's name and contact.
constexpr std::string_view kPersonal[] = {"reporter", "reporter_contact", "requester", "contact"};

// Keeps the first character (UTF-8) of a name and the last four of a number; the rest is '*'.
std::string Mask(const std::string& field, const std::string& value) {
  std::vector<std::string> chars;
  for (size_t i = 0; i < value.size();) {
    size_t n = 1;
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c >= 0xF0)
      n = 4;
    else if (c >= 0xE0)
      n = 3;
    else if (c >= 0xC0)
      n = 2;
    chars.push_back(value.substr(i, n));
    i += n;
  }
  const bool contact = field == "reporter_contact" || field == "contact";
  std::string out;
  for (size_t i = 0; i < chars.size(); ++i) {
    bool keep = contact ? (chars.size() > 4 && i + 4 >= chars.size()) : i == 0;
    out += keep ? chars[i] : "*";
  }
  return out;
}

}  // namespace

bool Api::Impl::SeesPersonalData(const User& u, const engine::Ticket& t) {
  switch (u.role) {
    case Role::kStaff:
      // The lead department verifies on site and calls the reporter back; the 12345 centre
      // makes the callback of a request.
      return t.lead == u.department ||
             std::find(u.acts_as.begin(), u.acts_as.end(), "hotline") != u.acts_as.end();
    case Role::kInspector:
      // Discipline inspectors may hear the reporter as a witness of the case they decide.
      return true;
    default:
      // Supervisors, auditors and administrators read what happened, not who told it.
      return false;
  }
}

Result<json> Api::Impl::CaseFileJson(const User& u, const engine::Ticket& t, int64_t as_of,
                                     bool* personal_shown) {
  *personal_shown = false;
  CL_ASSIGN_OR_RETURN(auto entries, engine::CaseFile(*b.state, *b.log, partitions, t.id, as_of));
  const bool sees = SeesPersonalData(u, t);
  // Who reported an enterprise is never shown to it, not even masked: the first character of
  // a name and the end of a number are enough to find an employee who reported (举报人保护).
  const bool withhold = u.role == Role::kEnterprise;
  json out = json::array();
  for (const auto& e : entries) {
    json rec = RecordJson(e.record);
    json content = rec.contains("body") ? rec["body"] : json::object();
    json masked = json::array();
    for (std::string_view f : kPersonal) {
      std::string key(f);
      if (!content.contains(key) || !content[key].is_string()) continue;
      if (withhold) {
        content.erase(key);
        masked.push_back(key);
      } else if (sees) {
        *personal_shown = true;
      } else {
        content[key] = Mask(key, content[key].get<std::string>());
        masked.push_back(key);
      }
    }
    json entry = {{"relation", e.relation},
                  {"event_id", rec.value("id", "")},
                  {"type", rec.value("body_type", "")},
                  {"source", rec.value("source", "")},
                  {"occurred_at", rec.value("occurred_at", json(0))},
                  {"recorded_at", rec.value("recorded_at", json(0))},
                  {"content", content}};
    if (rec.contains("actor")) entry["actor"] = rec["actor"];
    if (!masked.empty()) entry["masked"] = masked;
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace closeloop::http
