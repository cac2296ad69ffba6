#include "bench/pg_feed.h"

#include <nlohmann/json.hpp>

#include "bench/engine_bench_support.h"
#include "events/ids.h"
#include "events/partition.h"

namespace closeloop::bench {

namespace {

using Json = nlohmann::json;

// COPY's text format: backslash, tab, newline and carriage return escaped.
void AppendField(std::string& out, const std::string& v) {
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

std::string Literal(PGconn* conn, const std::string& v) {
  char* q = PQescapeLiteral(conn, v.data(), v.size());
  if (q == nullptr) Die(std::string("escaping: ") + PQerrorMessage(conn));
  std::string out(q);
  PQfreemem(q);
  return out;
}

}  // namespace

void PgExec(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const auto st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    Die("PostgreSQL: " + msg + "in: " + sql.substr(0, 300));
  }
  PQclear(r);
}

std::string PgValue(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    Die("PostgreSQL: " + msg + "in: " + sql);
  }
  std::string v = PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  return v;
}

PgFeed::PgFeed(PGconn* conn, uint32_t partitions) : conn_(conn), partitions_(partitions) {
  seq_ = std::strtoull(PgValue(conn_, "SELECT coalesce(max(seq) + 1, 0) FROM events").c_str(),
                       nullptr, 10);
  first_ = seq_;
  PGresult* r =
      PQprepare(conn_, "process", "SELECT cl_process($1::bigint, $2::bigint)", 2, nullptr);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) Die(PQresultErrorMessage(r));
  PQclear(r);
}

void PgFeed::Add(const StreamLine& line) {
  if (!in_tx_) {
    PgExec(conn_, "BEGIN");
    in_tx_ = true;
  }
  Json j = Json::parse(line.json);
  if (line.type == "RoutingTableUpdated" || line.type == "CalendarUpdated") {
    Flush();  // what came before applies under the old table
    if (line.type == "RoutingTableUpdated")
      LoadRouting(line.json);
    else
      LoadCalendar(line.json);
  }
  const std::string subject = j.value("subject", ""), id = j.value("id", "");
  std::string new_ticket;
  if (line.type == "ClockTick") clock_ = j["body"].value("now", int64_t{0});
  if (line.type == "HazardReport" ||
      (line.type == "SensorAlarm" && j["body"].value("state", "") == "alarm")) {
    const uint32_t p = events::PartitionForKey(subject, partitions_);
    new_ticket = events::DeriveId(clock_, id + "/p" + std::to_string(p) + "/ticket", 0).ToString();
  }
  copy_ += std::to_string(seq_++);
  copy_ += '\t';
  AppendField(copy_, id);
  copy_ += '\t';
  AppendField(copy_, line.type);
  copy_ += '\t';
  if (subject.empty())
    copy_ += "\\N";
  else
    AppendField(copy_, subject);
  copy_ += '\t';
  if (!j.contains("jurisdiction"))
    copy_ += "\\N";
  else
    AppendField(copy_, j["jurisdiction"].get<std::string>());
  copy_ += '\t';
  copy_ += j.contains("occurred_at") ? std::to_string(j["occurred_at"].get<int64_t>()) : "\\N";
  copy_ += '\t';
  AppendField(copy_, j["body"].dump());
  copy_ += '\t';
  if (new_ticket.empty())
    copy_ += "\\N";
  else
    AppendField(copy_, new_ticket);
  copy_ += '\n';
  ++pending_;
  ++queued_;
}

void PgFeed::Flush() {
  if (queued_ == 0) return;
  PGresult* r = PQexec(conn_, "COPY events FROM STDIN");
  if (PQresultStatus(r) != PGRES_COPY_IN) Die(std::string("COPY: ") + PQresultErrorMessage(r));
  PQclear(r);
  if (PQputCopyData(conn_, copy_.data(), static_cast<int>(copy_.size())) != 1 ||
      PQputCopyEnd(conn_, nullptr) != 1) {
    Die(std::string("COPY: ") + PQerrorMessage(conn_));
  }
  r = PQgetResult(conn_);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) Die(std::string("COPY: ") + PQresultErrorMessage(r));
  PQclear(r);
  while ((r = PQgetResult(conn_)) != nullptr) PQclear(r);
  copy_.clear();
  const std::string lo = std::to_string(first_), hi = std::to_string(seq_);
  const char* params[2] = {lo.c_str(), hi.c_str()};
  r = PQexecPrepared(conn_, "process", 2, params, nullptr, nullptr, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK)
    Die(std::string("cl_process: ") + PQresultErrorMessage(r));
  PQclear(r);
  first_ = seq_;
  queued_ = 0;
}

uint64_t PgFeed::Commit() {
  if (!in_tx_) return 0;
  Flush();
  PgExec(conn_, "COMMIT");
  in_tx_ = false;
  uint64_t n = pending_;
  pending_ = 0;
  return n;
}

void PgFeed::LoadRouting(const std::string& json) {
  Json b = Json::parse(json)["body"];
  const std::string table = Literal(conn_, b["table_name"].get<std::string>());
  PgExec(conn_, "DELETE FROM routing WHERE table_name = " + table);
  std::string values;
  for (const Json& row : b["rows"]) {
    std::string category, district;
    for (const Json& m : row["match"]) {
      (m["key"] == "category" ? category : district) = m["value"].get<std::string>();
    }
    if (!values.empty()) values += ",";
    values += "(" + table + "," + Literal(conn_, district) + "," + Literal(conn_, category) + "," +
              Literal(conn_, row["lead"].get<std::string>()) + ")";
  }
  if (!values.empty()) PgExec(conn_, "INSERT INTO routing VALUES " + values);
}

void PgFeed::LoadCalendar(const std::string& json) {
  Json b = Json::parse(json)["body"];
  if (b.value("calendar", "") != "prc") return;  // the workflows use the prc calendar only
  auto days = [&](const char* key) {
    std::string list;
    for (const Json& d : b[key]) list += (list.empty() ? "" : ",") + d.get<std::string>();
    return Literal(conn_, "{" + list + "}") + "::date[]";
  };
  const std::string from = std::to_string(b["first_year"].get<int>()) + "-01-01";
  // One year past the published ones, Monday to Friday, as the engine's closed formula.
  const std::string to = std::to_string(b["last_year"].get<int>() + 1) + "-12-31";
  const std::string work = "WITH w AS (SELECT d::date AS day, (d::date = ANY(" + days("workdays") +
                           ") OR (extract(isodow FROM d) < 6 AND NOT d::date = ANY(" +
                           days("holidays") + "))) AS working FROM generate_series(date '" + from +
                           "', date '" + to + "', interval '1 day') d) ";
  PgExec(conn_, "DELETE FROM calendar_days; DELETE FROM working_days; DELETE FROM calendar_info");
  PgExec(conn_, "INSERT INTO calendar_info VALUES (1, " +
                    Literal(conn_, b.value("time_zone", "Asia/Shanghai")) +
                    ", make_interval(mins => " + std::to_string(b.value("work_end_minute", 1020)) +
                    "))");
  PgExec(
      conn_,
      work + "INSERT INTO calendar_days SELECT day, sum(working::int) OVER (ORDER BY day) FROM w");
  PgExec(conn_, work +
                    "INSERT INTO working_days SELECT row_number() OVER (ORDER BY day), day FROM w "
                    "WHERE working");
}

}  // namespace closeloop::bench
