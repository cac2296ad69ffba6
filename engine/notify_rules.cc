#include "engine/notify_rules.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/json_fields.h"
#include "events/record.h"

namespace closeloop::engine {

using nlohmann::json;

std::string_view NotifyChannelName(NotifyChannel c) {
  switch (c) {
    case NotifyChannel::kWebhook:
      return "webhook";
    case NotifyChannel::kEmail:
      return "email";
    case NotifyChannel::kSms:
      return "sms";
  }
  return "webhook";
}

const std::vector<std::string_view>& NotifyPlaceholders() {
  static const std::vector<std::string_view> names = {
      "deadline", "department", "department_name", "lead_department", "lead_department_name",
      "level",    "reason",     "record_id",       "record_type",     "rule",
      "severity", "state",      "subject",         "ticket_id",       "title",
      "what",     "where",      "workflow"};
  return names;
}

Result<NotifyTemplate> NotifyTemplate::Parse(std::string_view text,
                                             const std::set<std::string_view>& extra) {
  NotifyTemplate t;
  std::string literal;
  auto column = [&](size_t i) { return std::to_string(i + 1); };
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
    } else if (ch == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      literal += '}';
      ++i;
    } else if (ch == '}') {
      return InvalidArgument("a lone '}' at column " + column(i) + " (write }} for a brace)");
    } else if (ch == '{') {
      size_t close = text.find('}', i + 1);
      if (close == std::string_view::npos) {
        return InvalidArgument("'{' at column " + column(i) + " is not closed");
      }
      std::string_view name = text.substr(i + 1, close - i - 1);
      const auto& known = NotifyPlaceholders();
      if (!std::binary_search(known.begin(), known.end(), name) && !extra.count(name)) {
        std::string list;
        for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        for (auto k : extra) list += ", " + std::string(k);
        return InvalidArgument("unknown placeholder {" + std::string(name) + "} at column " +
                               column(i) + " (known: " + list + ")");
      }
      if (!literal.empty()) t.parts.push_back({false, std::move(literal)});
      literal.clear();
      t.parts.push_back({true, std::string(name)});
      i = close;
    } else {
      literal += ch;
    }
  }
  if (!literal.empty()) t.parts.push_back({false, std::move(literal)});
  return t;
}

std::string NotifyTemplate::Render(const std::map<std::string, std::string>& values,
                                   std::string (*escape)(const std::string&)) const {
  std::string out;
  for (const auto& p : parts) {
    if (!p.placeholder) {
      out += p.text;
      continue;
    }
    auto it = values.find(p.text);
    if (it == values.end()) continue;
    out += escape ? escape(it->second) : it->second;
  }
  return out;
}

const NotifyContact* NotifyTable::ContactOf(std::string_view department) const {
  auto it = contacts_.find(department);
  return it == contacts_.end() ? nullptr : &it->second;
}

namespace {

using json_fields::At;
using json_fields::OnlyKeys;
using json_fields::StringAt;
using json_fields::ValidId;

Status StringSet(const json& obj, const char* key, const std::string& path,
                 std::set<std::string, std::less<>>* out) {
  if (!obj.contains(key)) return Status::Ok();
  const json& v = obj[key];
  if (!v.is_array()) return At(path + "." + key, "expected an array of strings");
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string() || v[i].get<std::string>().empty()) {
      return At(path + "." + key + "[" + std::to_string(i) + "]", "expected a non-empty string");
    }
    out->insert(v[i].get<std::string>());
  }
  return Status::Ok();
}

bool HttpUrl(const std::string& u) { return u.starts_with("http://") || u.starts_with("https://"); }

// "90s", "10m", "2h" -> ms; 0 when malformed or outside 1 s .. 24 h.
int64_t ParseWithin(const std::string& text) {
  if (text.size() < 2 || text.size() > 8) return 0;
  int64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return 0;
    n = n * 10 + (text[i] - '0');
  }
  int64_t unit = text.back() == 's'   ? 1000
                 : text.back() == 'm' ? 60000
                 : text.back() == 'h' ? 3600000
                                      : 0;
  int64_t ms = n * unit;
  return ms >= 1000 && ms <= 24 * 3600000 ? ms : 0;
}

// The placeholder only a paging subscription's templates may use: the deliverer puts the
// acknowledgement link of each page there (it holds the key the link is signed with).
constexpr std::string_view kAckUrl = "ack_url";

Status ParseTemplates(const json& s, const std::string& path, Subscription* sub) {
  const std::set<std::string_view> extra =
      sub->ack_within_ms > 0 ? std::set<std::string_view>{kAckUrl} : std::set<std::string_view>{};
  if (!s.contains("template") || !s["template"].is_object()) {
    return At(path + ".template", "required: {\"zh\": {\"subject\", \"body\"}, \"en\": ...}");
  }
  const json& tpl = s["template"];
  CL_RETURN_IF_ERROR(OnlyKeys(tpl, path + ".template", {"zh", "en"}));
  if (!tpl.contains(sub->language)) {
    return At(path + ".template." + sub->language,
              "required: the subscription's language is " + sub->language);
  }
  for (const auto& [lang, v] : tpl.items()) {
    std::string lpath = path + ".template." + lang;
    if (!v.is_object()) return At(lpath, "expected {\"subject\": ..., \"body\": ...}");
    CL_RETURN_IF_ERROR(OnlyKeys(v, lpath, {"subject", "body"}));
    CL_ASSIGN_OR_RETURN(std::string subject, StringAt(v, "subject", lpath, false, 500));
    CL_ASSIGN_OR_RETURN(std::string body, StringAt(v, "body", lpath, true, 4000));
    auto st = NotifyTemplate::Parse(subject, extra);
    if (!st.ok()) return At(lpath + ".subject", st.status().message());
    auto bt = NotifyTemplate::Parse(body, extra);
    if (!bt.ok()) return At(lpath + ".body", bt.status().message());
    if (sub->ack_within_ms > 0 && body.find("{ack_url}") == std::string::npos) {
      return At(lpath + ".body",
                "a subscription with ack_within must carry {ack_url}: the link that "
                "acknowledges the page");
    }
    if (lang == sub->language) {
      sub->subject = std::move(*st);
      sub->body = std::move(*bt);
    }
  }
  return Status::Ok();
}

Result<Subscription> ParseSubscription(const json& s, const std::string& path) {
  if (!s.is_object()) return At(path, "expected an object");
  CL_RETURN_IF_ERROR(OnlyKeys(s, path,
                              {"id", "match", "channel", "to", "urgency", "language", "template",
                               "url", "secret", "gateway", "ack_within"}));
  Subscription sub;
  CL_ASSIGN_OR_RETURN(sub.id, StringAt(s, "id", path, true, 64));
  if (!ValidId(sub.id)) return At(path + ".id", "letters a-z, digits, '_' and '-' only");
  if (s.contains("match")) {
    const json& m = s["match"];
    std::string mpath = path + ".match";
    if (!m.is_object()) return At(mpath, "expected an object");
    CL_RETURN_IF_ERROR(
        OnlyKeys(m, mpath, {"types", "workflows", "states", "departments", "severities"}));
    CL_RETURN_IF_ERROR(StringSet(m, "types", mpath, &sub.types));
    CL_RETURN_IF_ERROR(StringSet(m, "workflows", mpath, &sub.workflows));
    CL_RETURN_IF_ERROR(StringSet(m, "states", mpath, &sub.states));
    CL_RETURN_IF_ERROR(StringSet(m, "departments", mpath, &sub.departments));
    CL_RETURN_IF_ERROR(StringSet(m, "severities", mpath, &sub.severities));
    for (const auto& t : sub.types) {
      if (events::KindOf(events::BodyFromName(t)) != events::BodyKind::kEngine) {
        return At(mpath + ".types", "'" + t + "' is not an engine record type");
      }
    }
    for (const auto& sev : sub.severities) {
      if (sev != "unknown" && sev != "general" && sev != "major") {
        return At(mpath + ".severities", "'" + sev + "' is not unknown, general or major");
      }
    }
  }
  CL_ASSIGN_OR_RETURN(std::string channel, StringAt(s, "channel", path, true));
  if (channel == "webhook") {
    sub.channel = NotifyChannel::kWebhook;
  } else if (channel == "email") {
    sub.channel = NotifyChannel::kEmail;
  } else if (channel == "sms") {
    sub.channel = NotifyChannel::kSms;
  } else {
    return At(path + ".channel", "must be webhook, email or sms");
  }
  CL_ASSIGN_OR_RETURN(std::string urgency, StringAt(s, "urgency", path, false));
  if (!urgency.empty() && urgency != "routine" && urgency != "immediate") {
    return At(path + ".urgency", "must be routine or immediate");
  }
  sub.immediate = urgency == "immediate";
  CL_ASSIGN_OR_RETURN(std::string language, StringAt(s, "language", path, false));
  if (!language.empty() && language != "zh" && language != "en") {
    return At(path + ".language", "must be zh or en");
  }
  if (!language.empty()) sub.language = language;
  CL_ASSIGN_OR_RETURN(std::string within, StringAt(s, "ack_within", path, false, 32));
  if (!within.empty()) {
    sub.ack_within_ms = ParseWithin(within);
    if (sub.ack_within_ms == 0) {
      return At(path + ".ack_within", "a time such as 90s, 10m or 2h (1 second to 24 hours)");
    }
    if (channel == "webhook") {
      return At(path + ".ack_within", "pages go to people: channel email or sms");
    }
    if (!urgency.empty() && urgency != "immediate") {
      return At(path + ".urgency", "a subscription with ack_within is immediate");
    }
    sub.immediate = true;
  }
  CL_RETURN_IF_ERROR(ParseTemplates(s, path, &sub));

  if (sub.channel == NotifyChannel::kWebhook) {
    CL_ASSIGN_OR_RETURN(sub.url, StringAt(s, "url", path, true));
    if (!HttpUrl(sub.url)) return At(path + ".url", "an http:// or https:// URL");
    CL_ASSIGN_OR_RETURN(sub.secret, StringAt(s, "secret", path, true, 64));
    if (!ValidId(sub.secret)) return At(path + ".secret", "the name of a key the server holds");
    if (s.contains("to")) return At(path + ".to", "a webhook goes to its url, not to people");
    return sub;
  }
  for (const char* k : {"url", "secret"}) {
    if (s.contains(k)) return At(path + "." + k, "only for channel webhook");
  }
  if (!s.contains("to") || !s["to"].is_array() || s["to"].empty()) {
    return At(path + ".to",
              "required: department_head, assignee, {\"address\": ...} or {\"roster\": ...}");
  }
  const json& to = s["to"];
  for (size_t i = 0; i < to.size(); ++i) {
    std::string tpath = path + ".to[" + std::to_string(i) + "]";
    NotifyRecipient r;
    if (to[i] == "department_head") {
      r.kind = NotifyRecipient::Kind::kDepartmentHead;
    } else if (to[i] == "assignee") {
      r.kind = NotifyRecipient::Kind::kAssignee;
    } else if (to[i].is_object() && to[i].contains("roster")) {
      CL_RETURN_IF_ERROR(OnlyKeys(to[i], tpath, {"roster"}));
      r.kind = NotifyRecipient::Kind::kRoster;
      CL_ASSIGN_OR_RETURN(r.roster, StringAt(to[i], "roster", tpath, true, 64));
      if (!ValidId(r.roster)) return At(tpath + ".roster", "the id of a duty roster");
    } else if (to[i].is_object()) {
      CL_RETURN_IF_ERROR(OnlyKeys(to[i], tpath, {"address"}));
      CL_ASSIGN_OR_RETURN(r.address, StringAt(to[i], "address", tpath, true, 254));
      bool email = r.address.find('@') != std::string::npos;
      if (sub.channel == NotifyChannel::kEmail && !email) {
        return At(tpath + ".address", "an e-mail address");
      }
      if (sub.channel == NotifyChannel::kSms &&
          r.address.find_first_not_of("+0123456789") != std::string::npos) {
        return At(tpath + ".address", "a phone number (digits, optional leading +)");
      }
      if (r.address.find_first_of("\r\n<>,") != std::string::npos) {
        return At(tpath + ".address", "must not contain line breaks, <, > or commas");
      }
    } else {
      return At(tpath, "department_head, assignee, {\"address\": ...} or {\"roster\": ...}");
    }
    sub.to.push_back(std::move(r));
  }
  if (sub.ack_within_ms > 0 &&
      (sub.to.size() != 1 || sub.to[0].kind != NotifyRecipient::Kind::kRoster)) {
    return At(path + ".to", "a subscription with ack_within pages one roster: [{\"roster\": id}]");
  }
  if (sub.channel == NotifyChannel::kSms) {
    if (!s.contains("gateway") || !s["gateway"].is_object()) {
      return At(path + ".gateway", "required: {\"url\", \"content_type\", \"body\"}");
    }
    const json& g = s["gateway"];
    std::string gpath = path + ".gateway";
    CL_RETURN_IF_ERROR(OnlyKeys(g, gpath, {"url", "content_type", "body"}));
    CL_ASSIGN_OR_RETURN(sub.gateway_url, StringAt(g, "url", gpath, true));
    if (!HttpUrl(sub.gateway_url)) return At(gpath + ".url", "an http:// or https:// URL");
    CL_ASSIGN_OR_RETURN(sub.gateway_content_type, StringAt(g, "content_type", gpath, true));
    if (sub.gateway_content_type != "application/json" &&
        sub.gateway_content_type != "application/x-www-form-urlencoded") {
      return At(gpath + ".content_type",
                "application/json or application/x-www-form-urlencoded (values are escaped "
                "for it)");
    }
    CL_ASSIGN_OR_RETURN(std::string body, StringAt(g, "body", gpath, true, 4000));
    auto bt = NotifyTemplate::Parse(body, {"message", "phone"});
    if (!bt.ok()) return At(gpath + ".body", bt.status().message());
    sub.gateway_body = std::move(*bt);
  } else if (s.contains("gateway")) {
    return At(path + ".gateway", "only for channel sms");
  }
  return sub;
}

Result<NotifyContact> ParseContact(const json& c, const std::string& path) {
  if (!c.is_object()) return At(path, "expected an object");
  CL_RETURN_IF_ERROR(OnlyKeys(c, path, {"head", "desk", "calendar"}));
  NotifyContact out;
  for (const char* who : {"head", "desk"}) {
    if (!c.contains(who)) continue;
    const json& p = c[who];
    std::string ppath = path + "." + who;
    if (!p.is_object()) return At(ppath, "expected {\"email\": ..., \"phone\": ...}");
    CL_RETURN_IF_ERROR(OnlyKeys(p, ppath, {"email", "phone"}));
    CL_ASSIGN_OR_RETURN(std::string email, StringAt(p, "email", ppath, false, 254));
    CL_ASSIGN_OR_RETURN(std::string phone, StringAt(p, "phone", ppath, false, 32));
    if (!email.empty() &&
        (email.find('@') == std::string::npos || email.find_first_of("\r\n<>,") != email.npos)) {
      return At(ppath + ".email", "an e-mail address");
    }
    if (phone.find_first_not_of("+0123456789") != std::string::npos) {
      return At(ppath + ".phone", "a phone number (digits, optional leading +)");
    }
    (std::string_view(who) == "head" ? out.head_email : out.desk_email) = email;
    (std::string_view(who) == "head" ? out.head_phone : out.desk_phone) = phone;
  }
  CL_ASSIGN_OR_RETURN(out.calendar, StringAt(c, "calendar", path, false, 100));
  return out;
}

}  // namespace

Result<NotifyTable> NotifyTable::Parse(std::string_view content_json, uint32_t version) {
  json doc = json::parse(content_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return At("content_json",
              "expected a JSON object {\"subscriptions\": [...], \"contacts\": {}}");
  }
  CL_RETURN_IF_ERROR(OnlyKeys(doc, "content_json", {"subscriptions", "contacts"}));
  NotifyTable t;
  t.version_ = version;
  t.source_json_ = std::string(content_json);
  if (!doc.contains("subscriptions") || !doc["subscriptions"].is_array()) {
    return At("subscriptions", "required: an array (empty to stop every notification)");
  }
  std::set<std::string> ids;
  const json& subs = doc["subscriptions"];
  for (size_t i = 0; i < subs.size(); ++i) {
    std::string path = "subscriptions[" + std::to_string(i) + "]";
    CL_ASSIGN_OR_RETURN(Subscription s, ParseSubscription(subs[i], path));
    if (!ids.insert(s.id).second) return At(path + ".id", "'" + s.id + "' appears twice");
    t.subscriptions_.push_back(std::move(s));
  }
  if (doc.contains("contacts")) {
    const json& contacts = doc["contacts"];
    if (!contacts.is_object()) return At("contacts", "expected {department id: {...}}");
    for (const auto& [dept, c] : contacts.items()) {
      CL_ASSIGN_OR_RETURN(t.contacts_[dept], ParseContact(c, "contacts." + dept));
    }
  }
  return t;
}

}  // namespace closeloop::engine
