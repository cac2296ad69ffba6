// What the API's route files share: the implementation object, the per-call context and
// the helpers every handler uses. Not part of the module's interface.
#pragma once

#include <httplib.h>

#include <functional>
#include <initializer_list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>

#include "connectors/file/attachment_store.h"
#include "connectors/http/access_log.h"
#include "connectors/http/api.h"
#include "connectors/http/auth.h"
#include "connectors/http/change_feed.h"
#include "connectors/http/metrics.h"
#include "connectors/http/queue_order.h"
#include "connectors/http/rate_limit.h"
#include "connectors/http/stream_tickets.h"
#include "engine/queries.h"
#include "engine/ticket.h"
#include "engine/world.h"
#include "events/evidence.h"

namespace closeloop::engine {
struct FigureCell;
enum class FigureDimension;
}  // namespace closeloop::engine

namespace closeloop::http {

using nlohmann::json;

constexpr uint32_t RoleBit(Role r) { return 1u << static_cast<uint32_t>(r); }
constexpr uint32_t Roles(std::initializer_list<Role> roles) {
  uint32_t bits = 0;
  for (Role r : roles) bits |= RoleBit(r);
  return bits;
}
constexpr uint32_t kPublic = 0;           // no token needed
constexpr uint32_t kAnyRole = 0xFFFFFFu;  // any valid token

struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  std::optional<User> user;  // set when the route needs a token
  std::string detail;        // what the access log should add (an id, a count)
  bool audit = false;        // log this call even if a read (personal data was shown)
  TokenInfo token;           // the token the caller signed in with (id, label, expiry)
  std::string token_hash;    // its SHA-256 hex (never the token itself)

  void Json(int status, const json& body);
  // {"error": {...}}; `field`, `line`, `column` only when known.
  void Error(int status, std::string_view code, std::string_view message,
             std::string_view field = "", int line = 0, int column = 0);
  // Maps a Status to its HTTP status (NotFound 404, InvalidArgument 400, ...).
  void Fail(const Status& status);
  // The body as a JSON object; answers 400/415 itself and returns nullopt when it is not.
  std::optional<json> BodyObject();
  std::string Param(const char* name) const;
  const User& who() const { return *user; }
};

using Handler = std::function<void(Call&)>;

// The deployed workflows, calendars and reference data as the engine sees them, rebuilt
// from the control records the engine stored when they change. Every partition stores the
// same control records in the same order, each as far as its processor has got: the cache
// follows whichever partition is furthest along.
class WorldCache {
 public:
  WorldCache(const engine::StateReader& state, uint32_t partitions)
      : state_(state), partitions_(partitions) {}
  // Whether the engine would take these control records (bytes, as append_control gets them),
  // in order, on top of the World as it is now: the engine's own refusal
  // (World::ApplyControl), so the API can answer it before anything is written, instead of
  // the engine recording it afterwards where only `log dump` shows it. "record N: " leads
  // the message. InvalidArgument: a record does not decode (as append_control would say);
  // FailedPrecondition: the engine would refuse it.
  Status Admits(const std::vector<std::string>& records);
  // Runs `fn(world)` on an up-to-date World under a shared lock. When the stored records
  // cannot be read, the error is logged and `fn` sees the World as far as it loaded.
  template <typename F>
  auto With(F&& fn) {
    Status s = Refresh();
    if (!s.ok()) LogRefreshError(s);
    std::shared_lock lock(mu_);
    return fn(static_cast<const engine::World&>(world_));
  }
  // Applies the control records stored since the last call (engine::LoadStoredControl); the
  // error of a store that cannot be read or a record that does not verify.
  Status Refresh();

 private:
  static void LogRefreshError(const Status& s);
  const engine::StateReader& state_;
  uint32_t partitions_;
  std::shared_mutex mu_;
  engine::World world_;
  uint64_t applied_ = 0;  // config records applied
};

enum class Access { kNone, kRead, kAct };

// The unit a claim in workflow role `role` names (StaffCommand.department): an enterprise
// user's enterprise, a grid inspector's grid (engine/permission.h scopes those two roles by
// them), else the user's department. api_tickets.cc.
std::string ClaimedUnit(const User& u, std::string_view role);

struct Api::Impl {
  Impl(ApiBackend backend, ApiOptions options);

  ApiBackend b;
  ApiOptions o;
  uint32_t partitions = 0;
  AuthStore auth;
  AccessLog access;
  RateLimiter limiter;
  Metrics metrics;
  WorldCache world;
  ChangeFeed feed;
  StreamTickets stream_tickets;
  std::vector<std::pair<std::string, std::string>> routes;  // (method, pattern) registered
  // Uploaded files (DATA/attachments; null without a data directory) and the size one may
  // have (the server's max_attachment_bytes, set by Register).
  std::unique_ptr<file::AttachmentStore> files;
  size_t max_attachment_bytes = 0;

  // The city's time zone (engine::World::CityZone): times without an offset in requests are
  // read in it, the overview's days end at its midnights, Open311 writes times in it.
  std::string CityZone() {
    return world.With([](const engine::World& w) { return w.CityZone(); });
  }

  // Registers `handler` for `method` `pattern`; `roles` are the roles admitted (kPublic:
  // no token). `audit_reads`: GETs by auditors and inspectors go to the access log too.
  void Route(httplib::Server& server, const std::string& method, const std::string& pattern,
             uint32_t roles, Handler handler);

  // Who the caller is (api_signin.cc): refuses credentials in the URL on every route; for
  // `roles` other than kPublic, takes the bearer header (or, on GET /v1/stream only, a
  // stream ticket), checks it is known, unexpired and of an enabled user, and sets
  // call.user and call.token. False after answering (401) itself.
  bool SignIn(Call& call, const std::string& method, const std::string& pattern, uint32_t roles);

  // What `user` may do with `ticket` (object-level authorization).
  Access TicketAccess(const User& user, const engine::Ticket& ticket);
  // The ticket if `user` may see it (else nullopt: the caller answers 404, not 403, so
  // nobody learns what exists outside their scope); inspectors also see a chain that
  // reached them.
  Result<std::optional<engine::Ticket>> VisibleTicket(const User& user, std::string_view id,
                                                      Access* access);
  // The visible ticket `id` and the request's ?as_of= (INT64_MAX when absent); false after
  // answering the request itself (404, 400).
  bool TicketAndAsOf(Call& c, const std::string& id, std::optional<engine::Ticket>* t,
                     Access* access, int64_t* as_of);
  // `t` as JSON with the names of its enterprise, place and departments (api_names.cc).
  json NamedTicketJson(const engine::Ticket& t);
  // Enterprises whose name (zh or en) contains `text` (at most 500): queue search by name.
  std::vector<std::string> SubjectsNamed(const std::string& text);
  // Whether `user` sees the personal data (reporter, contact) in `t`'s case file unmasked.
  bool SeesPersonalData(const User& user, const engine::Ticket& t);
  // `t`'s case file (api_case_file.cc), masked for `user`; `personal_shown` says whether
  // any personal data went out unmasked (the access log records it).
  Result<json> CaseFileJson(const User& user, const engine::Ticket& t, int64_t as_of,
                            bool* personal_shown);
  // "Publish, then wait for the decision", for every route that answers with the engine's
  // decision (actions, Open311 requests): waits, backing off from 1 to 20 ms, until the
  // engine has processed the record `ack` names or ApiOptions::command_wait_ms has passed.
  // Whether it was processed; false at once when decisions are not visible (Kafka).
  bool AwaitProcessed(const events::IngressAck& ack);
  // After control records were appended: waits (as AwaitProcessed) until the engine has
  // processed partition 0 up to its end, so the next admin request is judged against them
  // (WorldCache reads the partition furthest along). False when it did not within the wait.
  bool AwaitControlApplied();
  // The records the engine wrote because of record `id` (their causation_id), found in
  // `partition` after `offset`, at most `window` records on; `fn` gets each (verified) with
  // its stored bytes and answers false to stop.
  Status ForEachCausedBy(
      std::string_view id, uint32_t partition, uint64_t offset, uint64_t window,
      const std::function<bool(const events::fb::Record&, const std::string&)>& fn);
  // The verbs `user` could use on `t` now (the engine may still refuse on a condition).
  json ActionsFor(const User& user, const engine::Ticket& t);
  // api_tickets.cc: the assign action, when `user` is the head of `t`'s lead department.
  void AppendAssign(const User& user, const engine::Ticket& t, json* out);
  // POST /v1/tickets/{id}/actions.
  void Act(Call& c, const std::string& id);

  // The routes whose handlers are long enough to be named (each says what it answers; the
  // short ones stay beside their registration).
  void PostEvents(Call& c);  // api_events.cc
  void GetTickets(Call& c);  // api_tickets.cc
  // api_tickets.cc: GET /v1/tickets with sort= or a flag the indexes lack (queue_order.h).
  void ListOrdered(Call& c, engine::TicketFilter f, const QueueOrder& order, bool extension,
                   bool returned, bool arbitration, bool assisting);
  void DeployWorkflow(Call& c, bool dry_run);  // api_admin.cc (dry_run: /check)
  void GetOverview(Call& c);                   // api_overview.cc
  void GetStream(Call& c);                     // api_stream.cc
  void GetMetrics(Call& c);                    // api_stream.cc

  void RegisterEvents(httplib::Server& s);
  void RegisterTickets(httplib::Server& s);
  void RegisterAudit(httplib::Server& s);
  // api_audit.cc: the evidence bundle of a chain (records, inclusion proofs, checkpoints).
  Result<events::Evidence> BuildEvidence(const std::string& chain_id);
  void RegisterAdmin(httplib::Server& s);
  void RegisterStream(httplib::Server& s);
  void RegisterOpen311(httplib::Server& s);
  void RegisterOps(httplib::Server& s);
  void RegisterOverview(httplib::Server& s);  // api_overview.cc: what the console reads
  void RegisterNotify(httplib::Server& s);    // api_notify.cc: subscriptions, dead letters
  void PutRosters(Call& c);                   // api_notify.cc: PUT /v1/admin/notify/rosters
  // A versioned reference table the engine parses (notify subscriptions, duty rosters), PUT
  // as {version, ...content}: checked whole (422 `invalid_code` naming the field), newer than
  // the version in effect (409), admitted by the engine's configuration (422 `refused`),
  // then recorded as a ReferenceDataUpdated; 201 {version, count_key: entries}.
  struct VersionedTable {
    std::string name, invalid_code, count_key;
    std::function<Result<size_t>(const std::string& text, uint32_t version)> parse;
    std::function<uint32_t(const engine::World&)> current;
  };
  void PutVersionedTable(Call& c, const VersionedTable& t);  // api_notify.cc
  void AckPage(Call& c);  // api_notify.cc: POST /v1/notify/deliveries/{id}/ack
  void RegisterAttachments(httplib::Server& s);  // api_attachments.cc: evidence files
  void RegisterPlaces(httplib::Server& s);       // api_places.cc: what the maps read
  void RegisterPeople(httplib::Server& s);       // api_people.cc: a department's people
  void RegisterReports(httplib::Server& s);      // api_reports.cc: the bureau's figures
  void GetFigures(Call& c);                      // api_reports.cc
  void GetWeekly(Call& c);                       // api_reports.cc
  void GetTownScores(Call& c);                   // api_reports.cc
  // api_reports.cc: which figure cells `user` counts (the overview's scope, by lead and
  // street), and the names of a group's districts, streets and departments.
  std::function<bool(const engine::FigureCell&)> FigureScope(const User& user);
  void NameGroup(const std::vector<engine::FigureDimension>& by,
                 const std::vector<std::string>& key, json* row);
  // api_people.cc: records the staff directory (engine/staff_directory.h) built from this
  // node's users when it differs from the one in effect, and waits for the engine to apply
  // it. Serialized: two writers never publish the same version.
  Status SyncStaffDirectory();
  std::mutex staff_sync_mu;

  // Whether `user` may read the stored file `hex`: they uploaded it, or they may see a
  // ticket whose accepted evidence references it.
  Result<bool> MayReadFile(const User& user, std::string_view hex);
  // The 422 message for the first of `refs` ("sha256:<hex>") that is not a stored file
  // `user` may read (so may not cite either); nullopt when every one is.
  std::optional<std::string> UnknownFile(const User& user, const std::vector<std::string>& refs);
};

}  // namespace closeloop::http
