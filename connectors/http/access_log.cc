#include "connectors/http/access_log.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "connectors/http/secrets.h"
#include "connectors/rocksdb/rocks_db.h"

namespace closeloop::http {

std::string AccessEntry::ToJson() const {
  nlohmann::json j = {{"at", at},         {"user", user},     {"role", role},
                      {"method", method}, {"target", target}, {"status", status},
                      {"detail", detail}, {"remote", remote}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

// Whether `id` occurs in `text` as a whole id: not inside a longer one ("T-1" is not in
// "/v1/tickets/T-10"), bounded by the text's ends or by a character no id holds.
bool ContainsId(std::string_view text, std::string_view id) {
  auto part_of_id = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  };
  for (size_t at = text.find(id); at != std::string_view::npos; at = text.find(id, at + 1)) {
    const bool starts = at == 0 || !part_of_id(text[at - 1]);
    const size_t end = at + id.size();
    const bool ends = end == text.size() || !part_of_id(text[end]);
    if (starts && ends) return true;
  }
  return false;
}

}  // namespace

AccessLog::AccessLog(rocks::RocksDb& db) : chain_(rocks::AccessChain::Open(&db)) {
  if (!chain_.ok()) spdlog::error("access log: {}", chain_.status().ToString());
}

void AccessLog::Record(const AccessEntry& entry) {
  AccessEntry e = entry;
  e.target = RedactTarget(e.target);  // here, so no caller can forget it
  Status s = chain_.ok() ? (*chain_)->Append(e.at, e.ToJson()) : chain_.status();
  if (!s.ok()) spdlog::error("access log: {}", s.ToString());
}

Result<std::vector<std::string>> AccessLog::List(int64_t since_ms, size_t limit) const {
  if (!chain_.ok()) return chain_.status();
  return (*chain_)->List(since_ms, limit);
}

Result<AccessPage> AccessLog::Find(const AccessFilter& f) const {
  if (!chain_.ok()) return chain_.status();
  int64_t from_at = f.since;
  uint64_t from_seq = 0;
  if (!f.cursor.empty()) {
    // "<time ms>.<seq>" of the last entry the previous page read.
    auto dot = f.cursor.find('.');
    int64_t at = 0;
    uint64_t seq = 0;
    const char* end = f.cursor.data() + f.cursor.size();
    bool ok =
        dot != std::string::npos &&
        std::from_chars(f.cursor.data(), f.cursor.data() + dot, at).ptr == f.cursor.data() + dot &&
        std::from_chars(f.cursor.data() + dot + 1, end, seq).ptr == end && dot > 0 &&
        dot + 1 < f.cursor.size();
    if (!ok) return InvalidArgument("cursor: not one this listing gave out");
    from_at = at;
    from_seq = seq + 1;
  }
  AccessPage page;
  size_t read = 0;
  Status s =
      (*chain_)->Scan(from_at, from_seq, [&](int64_t at, uint64_t seq, std::string_view entry) {
        if (at > f.until) return false;
        ++read;
        bool match = true;
        if (!f.user.empty() || !f.ticket.empty()) {
          auto j = nlohmann::json::parse(entry, nullptr, false);
          match = j.is_object();
          if (match && !f.user.empty()) match = j.value("user", "") == f.user;
          if (match && !f.ticket.empty()) {
            match = ContainsId(j.value("target", ""), f.ticket) ||
                    ContainsId(j.value("detail", ""), f.ticket);
          }
        }
        if (match) page.entries.emplace_back(entry);
        if (page.entries.size() >= f.limit || read >= f.scan_limit) {
          page.next_cursor = fmt::format("{}.{}", at, seq);
          return false;
        }
        return true;
      });
  if (!s.ok()) return s;
  return page;
}

}  // namespace closeloop::http
