#include "connectors/http/api_util.h"

#include <date/tz.h>

#include <charconv>

#include "base/time_text.h"
#include "events/hash.h"
#include "events/json_codec.h"

namespace closeloop::http {

int64_t EndOfLocalDay(int64_t t, const std::string& zone, int back) {
  using namespace std::chrono;
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(zone);
  } catch (const std::exception&) {
    tz = date::locate_zone("UTC");
  }
  const auto local = tz->to_local(date::sys_time<milliseconds>(milliseconds(t)));
  const auto end = date::floor<date::days>(local) - date::days(back) + date::days(1);
  return tz->to_sys(date::local_time<milliseconds>(end), date::choose::earliest)
      .time_since_epoch()
      .count();
}

using nlohmann::json;

std::optional<int64_t> ParseInt(const std::string& text, int64_t fallback, int64_t min,
                                int64_t max) {
  if (text.empty()) return fallback;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < min || v > max) {
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> ParseTimeParam(const std::string& text, const std::string& zone) {
  auto t = ParseTimeIn(text, zone);
  if (!t.ok()) return std::nullopt;
  return *t;
}

json TicketJson(const engine::Ticket& t) { return json::parse(t.ToJson(), nullptr, false); }

events::JsonCodec& JsonCodecForThread() {
  thread_local events::JsonCodec codec;
  return codec;
}

json RecordJson(std::string_view bytes) {
  auto text = JsonCodecForThread().ToJson(bytes);
  if (!text.ok()) return {{"error", "undecodable record: " + text.status().message()}};
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    j = {{"error", "the codec's JSON did not parse: " + *text}};
  return j;
}

json RecordsJson(const std::vector<std::string>& records) {
  json out = json::array();
  for (const auto& r : records) out.push_back(RecordJson(r));
  return out;
}

}  // namespace closeloop::http
