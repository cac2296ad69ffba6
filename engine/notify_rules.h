// Notification subscriptions as data: which engine records go to which channel (webhook,
// e-mail, SMS) and recipients, with zh/en message templates. The table arrives on the log as
// a ReferenceDataUpdated record with table_name "notify_subscriptions" (its JSON shape is in
// docs/operations.md, "Notifications"); the admin API validates it with the same Parse
// before appending, so a bad table is refused at the boundary with the field at fault.
//
// Templates use a small placeholder syntax: `{name}` is replaced by a value of the record
// or its ticket (kPlaceholders), `{{` and `}}` stand for literal braces. An unknown name, an
// unclosed `{` or a lone `}` is refused when the table is parsed, never at delivery.
//
// Determinism: everything is kept in ordered containers; matching and rendering read only
// the record, its ticket, the World and the engine's clock.
//
// Thread-safety: immutable once parsed; safe to share between threads.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace closeloop::engine {

inline constexpr std::string_view kNotifyTableName = "notify_subscriptions";

enum class NotifyChannel { kWebhook, kEmail, kSms };
std::string_view NotifyChannelName(NotifyChannel c);

// The names a template may use (sorted).
const std::vector<std::string_view>& NotifyPlaceholders();

// A parsed template: literal text and placeholder names, alternating.
struct NotifyTemplate {
  struct Part {
    bool placeholder = false;
    std::string text;  // literal text, or the placeholder's name
  };
  std::vector<Part> parts;

  // `extra` names allowed besides NotifyPlaceholders() (e.g. "phone", "message").
  static Result<NotifyTemplate> Parse(std::string_view text,
                                      const std::set<std::string_view>& extra = {});
  // `escape` is applied to each substituted value (not to literal text).
  std::string Render(const std::map<std::string, std::string>& values,
                     std::string (*escape)(const std::string&) = nullptr) const;
};

struct NotifyRecipient {
  enum class Kind { kDepartmentHead, kAssignee, kAddress, kRoster };
  Kind kind = Kind::kAddress;
  std::string address;  // kAddress: an e-mail address or a phone number
  std::string roster;   // kRoster: the person on duty of this roster (duty_roster.h)
};

struct NotifyContact {
  std::string head_email, head_phone;  // the department's principal (负责人)
  std::string desk_email, desk_phone;  // the department's duty desk: "the assignee"
  std::string calendar;                // its working calendar; "" = the ticket's workflow's
};

struct Subscription {
  std::string id;  // [a-z0-9_-], at most 64
  // Empty = any. Matched against the record's body type, the ticket's workflow and state
  // (after the record), the department the record concerns, the ticket's severity.
  std::set<std::string, std::less<>> types, workflows, states, departments, severities;
  NotifyChannel channel = NotifyChannel::kWebhook;
  std::vector<NotifyRecipient> to;  // e-mail and SMS
  // "immediate": sent at any hour; "routine" (default): held until the recipient
  // department's working hours, unless the ticket is an incident or of major severity.
  bool immediate = false;
  // > 0: each matching record pages the roster of `to` (its only recipient) and waits this
  // long for an acknowledgement before paging the next person (engine/duty.h). Such a
  // subscription is always immediate; its templates may use {ack_url}.
  int64_t ack_within_ms = 0;
  std::string language = "zh";  // which template is rendered: "zh" or "en"
  NotifyTemplate subject, body;
  std::string url;          // webhook: where to POST
  std::string secret;       // webhook: name of the server's HMAC key (never the key itself)
  std::string gateway_url;  // SMS: the gateway's URL
  std::string gateway_content_type;  // SMS: application/json or ...x-www-form-urlencoded
  NotifyTemplate gateway_body;       // SMS: may also use {phone} and {message}
};

class NotifyTable {
 public:
  // Validates a whole table (content_json of the record). Errors are InvalidArgument with
  // the path of the field at fault first: "subscriptions[1].template.zh.body: unknown
  // placeholder {foo} at column 7 (known: ...)".
  static Result<NotifyTable> Parse(std::string_view content_json, uint32_t version);

  uint32_t version() const { return version_; }
  const std::vector<Subscription>& subscriptions() const { return subscriptions_; }
  const NotifyContact* ContactOf(std::string_view department) const;
  const std::map<std::string, NotifyContact, std::less<>>& contacts() const { return contacts_; }
  const std::string& source_json() const { return source_json_; }

 private:
  uint32_t version_ = 0;
  std::vector<Subscription> subscriptions_;
  std::map<std::string, NotifyContact, std::less<>> contacts_;
  std::string source_json_;
};

}  // namespace closeloop::engine
