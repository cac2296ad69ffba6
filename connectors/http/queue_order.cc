#include "connectors/http/queue_order.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <utility>

namespace closeloop::http {
namespace {

int SeverityRank(const std::string& s) {
  if (s == "major") return 0;
  if (s == "general") return 2;
  if (s == "unknown" || s.empty()) return 9;
  return 5;
}

std::string Padded(int64_t v, bool descending) {
  uint64_t u = static_cast<uint64_t>(std::max<int64_t>(0, v));
  if (descending) u = static_cast<uint64_t>(INT64_MAX) - u;
  return fmt::format("{:019}", u);
}

}  // namespace

std::optional<QueueOrder> ParseQueueOrder(std::string_view text) {
  QueueOrder o;
  if (!text.empty() && text[0] == '-') {
    o.descending = true;
    text.remove_prefix(1);
  }
  if (text == "deadline" || text == "time_left") {
    o.by = SortBy::kDeadline;
  } else if (text == "opened") {
    o.by = SortBy::kOpened;
  } else if (text == "severity") {
    o.by = SortBy::kSeverity;
  } else {
    return std::nullopt;
  }
  return o;
}

std::string QueueSortKey(const engine::Ticket& t, const QueueOrder& o) {
  // Undated tickets last whichever way the deadline goes.
  const int64_t deadline = t.deadline_at > 0 ? t.deadline_at : INT64_MAX;
  std::string key;
  switch (o.by) {
    case SortBy::kDeadline:
      key = t.deadline_at > 0 ? "0" + Padded(deadline, o.descending) : "1";
      break;
    case SortBy::kOpened:
      key = Padded(t.opened_at, o.descending);
      break;
    case SortBy::kSeverity: {
      int rank = SeverityRank(t.severity);
      key = std::to_string(o.descending ? 9 - rank : rank) + Padded(deadline, false);
      break;
    }
  }
  return key + "/" + t.id;
}

bool CursorFits(std::string_view cursor, const QueueOrder& o) {
  const size_t slash = cursor.find('/');
  if (slash == std::string_view::npos || slash + 1 == cursor.size()) return false;
  const std::string_view key = cursor.substr(0, slash);
  auto digits = [](std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  switch (o.by) {
    case SortBy::kDeadline:
      return key == "1" || (key.size() == 20 && key[0] == '0' && digits(key));
    case SortBy::kOpened:
      return key.size() == 19 && digits(key);
    case SortBy::kSeverity:
      return key.size() == 20 && digits(key);
  }
  return false;
}

std::vector<engine::Ticket> OrderAndPage(std::vector<engine::Ticket> tickets,
                                         const QueueOrder& order, const std::string& cursor,
                                         size_t limit, std::string* next_cursor) {
  std::vector<std::pair<std::string, engine::Ticket>> keyed;
  keyed.reserve(tickets.size());
  for (auto& t : tickets) {
    std::string k = QueueSortKey(t, order);
    if (!cursor.empty() && k <= cursor) continue;
    keyed.emplace_back(std::move(k), std::move(t));
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<engine::Ticket> out;
  next_cursor->clear();
  for (auto& [k, t] : keyed) {
    if (out.size() == limit) {
      *next_cursor = QueueSortKey(out.back(), order);
      break;
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace closeloop::http
