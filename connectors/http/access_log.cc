#include "connectors/http/access_log.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

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

}  // namespace closeloop::http
