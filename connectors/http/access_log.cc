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

void AccessLog::Record(const AccessEntry& entry) {
  AccessEntry e = entry;
  e.target = RedactTarget(e.target);  // here, so no caller can forget it
  std::string key = fmt::format("access/{:016x}/{:08x}", static_cast<uint64_t>(e.at), seq_++);
  rocksdb::WriteBatch batch;
  batch.Put(db_.family("meta"), key, e.ToJson());
  Status s = db_.Write(&batch, false);
  if (!s.ok()) spdlog::error("access log: {}", s.ToString());
}

Result<std::vector<std::string>> AccessLog::List(int64_t since_ms, size_t limit) const {
  std::vector<std::string> out;
  std::string from =
      fmt::format("access/{:016x}", static_cast<uint64_t>(std::max<int64_t>(0, since_ms)));
  std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator({}, db_.family("meta")));
  for (it->Seek(from); it->Valid() && out.size() < limit; it->Next()) {
    if (!it->key().starts_with("access/")) break;
    out.push_back(it->value().ToString());
  }
  CL_RETURN_IF_ERROR(rocks::FromRocks(it->status(), "access log"));
  return out;
}

}  // namespace closeloop::http
