// The test city's environmental duty roster and its paging subscription, as data only (JSON,
// no engine types), shared by the engine's duty tests (engine/tests/duty_tables.h) and the
// process-level paging test (tests/notify/duty_test.cc), so both page the same people.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace closeloop::engine::testing {

// {"rosters": [env-duty]}: wang and li by day (08-20), zhao, wang, li by night (20-08), every
// day; wang and zhao have users of their own (they may acknowledge by signing in).
inline nlohmann::json DutyRosters() {
  using nlohmann::json;
  return {
      {"rosters",
       {{{"id", "env-duty"},
         {"name", "环境应急值班"},
         {"calendar", "prc"},
         {"people",
          {{{"id", "wang"}, {"name", "王伟"}, {"phone", "13900000001"}, {"user", "duty-wang"}},
           {{"id", "li"}, {"name", "李娜"}, {"phone", "13900000002"}},
           {{"id", "zhao"}, {"name", "赵强"}, {"phone", "13900000003"}, {"user", "duty-zhao"}}}},
         {"shifts",
          {{{"id", "day"},
            {"days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
            {"from", "08:00"},
            {"to", "20:00"},
            {"order", {"wang", "li"}}},
           {{"id", "night"},
            {"days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
            {"from", "20:00"},
            {"to", "08:00"},
            {"order", {"zhao", "wang", "li"}}}}}}}}};
}

// A subscription paging env-duty by SMS through `gateway` for major TicketOpened records,
// acknowledged within 10 minutes, with the Chinese text `body`.
inline nlohmann::json DutyPagingSubscription(const std::string& gateway, const std::string& body) {
  using nlohmann::json;
  return {{"id", "duty"},
          {"match", {{"types", {"TicketOpened"}}, {"severities", {"major"}}}},
          {"channel", "sms"},
          {"to", {{{"roster", "env-duty"}}}},
          {"ack_within", "10m"},
          {"gateway",
           {{"url", gateway},
            {"content_type", "application/json"},
            {"body", R"({{"to": "{phone}", "text": "{message}"}})"}}},
          {"template", {{"zh", {{"body", body}}}}}};
}

}  // namespace closeloop::engine::testing
