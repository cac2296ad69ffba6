// g++ 12 reports a false "may be used uninitialized" inside date::parse's chrono code; the
// warning is attributed to the library headers, so it is silenced for this whole file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "app/node.h"

#include <date/date.h>

#include <charconv>
#include <sstream>

#include "app/commands.h"
#include "app/wall_clock.h"
#include "connectors/file/ingress.h"
#include "engine/keys.h"

namespace closeloop::app {

Node Node::Open(const std::string& data, bool read_only, uint32_t partitions, bool sync,
                bool create) {
  Node n;
  auto db = rocks::RocksDb::Open(
      data, {.sync = sync, .create_if_missing = create && !read_only, .read_only = read_only});
  if (!db.ok()) Fail(db.status().ToString());
  n.db = std::move(*db);
  auto log = rocks::EmbeddedLog::Open(n.db.get(), partitions);
  if (!log.ok()) Fail(log.status().ToString());
  n.log = std::move(*log);
  n.store = std::make_unique<rocks::RocksStore>(n.db.get(), n.log.get());
  return n;
}

std::vector<std::unique_ptr<engine::Processor>> Node::Processors(engine::ProcessorOptions options) {
  std::vector<std::unique_ptr<engine::Processor>> out;
  for (uint32_t p = 0; p < partitions(); ++p) {
    out.push_back(std::make_unique<engine::Processor>(p, *log, *store, options));
    Status s = out.back()->Open();
    if (!s.ok()) Fail(s.ToString());
  }
  return out;
}

uint64_t Node::ProcessAll() {
  auto procs = Processors();
  uint64_t total = 0;
  for (;;) {
    uint64_t round = 0;
    for (auto& p : procs) {
      auto n = p->ProcessAvailable();
      if (!n.ok()) Fail(n.status().ToString());
      round += *n;
    }
    total += round;
    if (round == 0) return total;
  }
}

int64_t Node::EngineNow() {
  int64_t now = 0;
  for (uint32_t p = 0; p < partitions(); ++p) {
    auto v = store->Get(engine::keys::Now(p));
    if (v.ok() && *v) now = std::max(now, static_cast<int64_t>(engine::keys::ReadBE64(**v)));
  }
  return now;
}

Status Node::AppendControl(const std::vector<std::string>& jsons) {
  file::IngressPreparer preparer(partitions());
  const int64_t now = WallClockMillis();
  std::vector<file::PreparedRecord> records;
  for (size_t i = 0; i < jsons.size(); ++i) {
    file::PreparedRecord rec;
    std::vector<file::IngressError> errors;
    if (!preparer.Prepare(jsons[i], 1, now, &rec, &errors)) {
      const auto& e = errors.front();
      return InvalidArgument("control record " + std::to_string(i + 1) + ": " +
                             (e.field.empty() ? "" : e.field + ": ") + e.message);
    }
    records.push_back(std::move(rec));
  }
  auto r = log->Append(file::ToBatch(records, partitions()));
  return r.ok() ? Status::Ok() : r.status();
}

Status Node::AppendClockTick(int64_t now_ms, std::string_view source) {
  return AppendControl({R"({"source": ")" + std::string(source) +
                        R"(","body_type": "ClockTick","body": {"now": )" + std::to_string(now_ms) +
                        "}}"});
}

Result<int64_t> ParseTime(const std::string& text) {
  int64_t ms = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec == std::errc() && p == text.data() + text.size()) return ms;
  for (const char* fmt : {"%FT%T%Ez", "%FT%R%Ez"}) {
    std::istringstream in(text);
    date::sys_time<std::chrono::milliseconds> tp;
    in >> date::parse(fmt, tp);
    if (!in.fail()) return tp.time_since_epoch().count();
  }
  for (const char* fmt : {"%FT%TZ", "%FT%RZ"}) {
    std::istringstream in(text);
    date::sys_time<std::chrono::milliseconds> tp;
    in >> date::parse(fmt, tp);
    if (!in.fail()) return tp.time_since_epoch().count();
  }
  for (const char* fmt : {"%FT%T", "%FT%R", "%F"}) {
    std::istringstream in(text);
    date::local_time<std::chrono::milliseconds> tp;
    in >> date::parse(fmt, tp);
    if (!in.fail()) return tp.time_since_epoch().count() - 8 * 3600 * 1000LL;  // Asia/Shanghai
  }
  return InvalidArgument("not a time: '" + text +
                         "' (ms since the epoch, or ISO 8601 like 2026-03-02T09:00)");
}

Result<int64_t> ParseDuration(const std::string& text) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  std::string unit(p, text.data() + text.size());
  if (ec != std::errc() || n < 0)
    return InvalidArgument("not a duration: '" + text + "' (e.g. 500ms, 90s, 30m, 2h, 3d, 1w)");
  int64_t scale = unit == "ms"  ? 1
                  : unit == "s" ? 1000
                  : unit == "m" ? 60000
                  : unit == "h" ? 3600000
                  : unit == "d" ? 86400000
                  : unit == "w" ? 7 * 86400000LL
                                : 0;
  if (scale == 0)
    return InvalidArgument("unknown duration unit in '" + text + "' (ms, s, m, h, d, w)");
  return n * scale;
}

std::string FormatTime(int64_t ms) {
  if (ms <= 0) return "-";
  auto tp = date::sys_time<std::chrono::seconds>(std::chrono::seconds(ms / 1000 + 8 * 3600));
  return date::format("%F %T", tp) + " +08:00";
}

}  // namespace closeloop::app
