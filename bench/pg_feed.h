// pg_bench's client: feeds stream lines into the PostgreSQL baseline (bench/pg/schema.sql)
// as an agency's ingest service would. Per transaction: the batch's events go in with one
// COPY, one call of cl_process applies them in order, one COMMIT (synchronous_commit on:
// the commit returns after the WAL is fsynced). Routing tables and calendars in the stream
// are loaded client-side into their tables, in stream order. The client assigns each event
// that may open a ticket the id closeloop's engine would give that ticket
// (engine/step.cc NewTicketId: the opener's id, its partition, the last clock tick), so the
// staff commands of the stream name the same tickets in both systems.
// Not thread-safe; `conn` must outlive the feed.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <string>

#include "bench/stream.h"

namespace closeloop::bench {

// Runs `sql`; dies with PostgreSQL's message unless it succeeded.
void PgExec(PGconn* conn, const std::string& sql);
// The first column of the first row of `sql`, as text ("" if none).
std::string PgValue(PGconn* conn, const std::string& sql);

class PgFeed {
 public:
  PgFeed(PGconn* conn, uint32_t partitions);
  // Queues `line` in the open transaction (BEGIN on the first).
  void Add(const StreamLine& line);
  // Applies what is queued and commits. Returns the events it committed.
  uint64_t Commit();
  uint64_t pending() const { return pending_; }
  uint64_t next_seq() const { return seq_; }

 private:
  void Flush();  // COPY the queued events and cl_process them, inside the transaction
  void LoadRouting(const std::string& json);
  void LoadCalendar(const std::string& json);

  PGconn* conn_;
  uint32_t partitions_;
  bool in_tx_ = false;
  int64_t clock_ = 0;
  uint64_t seq_ = 0, first_ = 0, pending_ = 0, queued_ = 0;
  std::string copy_;  // COPY text rows not yet sent
};

}  // namespace closeloop::bench
