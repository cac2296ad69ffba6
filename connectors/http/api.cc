#include "connectors/http/api.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "connectors/file/ingress.h"
#include "connectors/http/api_internal.h"
#include "connectors/http/console.h"
#include "connectors/http/json_body.h"
#include "connectors/http/route_guard.h"
#include "connectors/http/server.h"
#include "engine/permission.h"
#include "engine/store.h"
#include "events/log.h"
#include "events/record.h"

namespace closeloop::http {

// ---- Call ------------------------------------------------------------------------------

void Call::Json(int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n",
                  "application/json; charset=utf-8");
}

void Call::Error(int status, std::string_view code, std::string_view message,
                 std::string_view field, int line, int column) {
  json e = {{"status", status}, {"code", code}, {"message", message}};
  if (!field.empty()) e["field"] = field;
  if (line > 0) e["line"] = line;
  if (column > 0) e["column"] = column;
  Json(status, {{"error", e}});
}

void Call::Fail(const Status& s) {
  if (rocks::IsDiskFull(s)) {  // nothing was written; the same request works once space is back
    res.set_header("Retry-After", "30");
    return Error(507, "insufficient_storage", s.message());
  }
  switch (s.code()) {
    case Code::kInvalidArgument:
      return Error(400, "invalid", s.message());
    case Code::kNotFound:
      return Error(404, "not_found", s.message());
    case Code::kAlreadyExists:
      return Error(409, "exists", s.message());
    case Code::kFailedPrecondition:
      return Error(409, "precondition", s.message());
    case Code::kPermissionDenied:
      return Error(403, "forbidden", s.message());
    case Code::kResourceExhausted:
      return Error(429, "exhausted", s.message());
    case Code::kUnavailable:
      return Error(503, "unavailable", s.message());
    default:
      spdlog::error("{} {}: {}", req.method, req.path, s.ToString());
      return Error(500, "internal", "internal error; the server log has the details");
  }
}

std::optional<json> Call::BodyObject() {
  const std::string ct = req.get_header_value("Content-Type");
  if (ct.rfind("application/json", 0) != 0) {
    Error(415, "unsupported_media_type", "send Content-Type: application/json");
    return std::nullopt;
  }
  JsonSyntaxError bad;
  auto j = ParseJsonBody(req.body, &bad);
  if (!j) {
    Error(400, "bad_json", bad.message, "", bad.line, bad.column);
    return std::nullopt;
  }
  if (!j->is_object()) {
    Error(400, "bad_json", "expected a JSON object");
    return std::nullopt;
  }
  return j;
}

std::string Call::Param(const char* name) const {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

void RunGuarded(const Handler& handler, Call& call) {
  std::string what;
  try {
    handler(call);
    return;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "a non-standard exception";
  }
  spdlog::error("{} {}: handler threw: {}", call.req.method, call.req.path, Abbreviate(what, 500));
  call.res.headers.clear();
  call.res.body.clear();
  call.Error(500, "internal", "internal error; the server log has the details");
}

// ---- WorldCache ------------------------------------------------------------------------

Status WorldCache::Refresh() {
  uint64_t from_seq;
  {
    std::shared_lock lock(mu_);
    from_seq = applied_;
  }
  // The partition furthest along: every partition stores the same control records.
  uint32_t best = 0;
  uint64_t most = 0;
  for (uint32_t p = 0; p < partitions_; ++p) {
    CL_ASSIGN_OR_RETURN(uint64_t n, engine::CountStoredControl(state_, p, from_seq));
    if (n > most) best = p, most = n;
  }
  if (most == 0) return Status::Ok();
  std::unique_lock lock(mu_);
  if (applied_ != from_seq) return Status::Ok();  // another caller applied them meanwhile
  return engine::LoadStoredControl(state_, best, &applied_, &world_);
}

void WorldCache::LogRefreshError(const Status& s) {
  spdlog::error("api: the deployed configuration could not be read: {}", s.ToString());
}

Status WorldCache::Admits(const std::vector<std::string>& records) {
  // Judged against the configuration as it is, or not at all.
  CL_RETURN_IF_ERROR(Refresh());
  engine::World trial;
  {
    std::shared_lock lock(mu_);
    trial = world_;
  }
  file::IngressPreparer preparer(partitions_);
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string at = "record " + std::to_string(i) + ": ";
    file::PreparedRecord prepared;
    std::vector<file::IngressError> errors;
    if (!preparer.PrepareRecord(records[i], 0, &prepared, &errors)) {
      const auto& e = errors.front();
      return InvalidArgument(at + (e.field.empty() ? "" : e.field + ": ") + e.message);
    }
    auto rec = events::VerifyRecord(prepared.bytes);
    if (!rec.ok()) return InvalidArgument(at + rec.status().message());
    Status s = trial.ApplyControl(**rec);
    if (!s.ok()) return FailedPrecondition(at + s.message());
  }
  return Status::Ok();
}

// ---- Impl --------------------------------------------------------------------------------

Api::Impl::Impl(ApiBackend backend, ApiOptions options)
    : b(std::move(backend)),
      o(options),
      partitions(b.log->partition_count()),
      auth(*b.db),
      access(*b.db),
      limiter(o.rate_per_second, o.rate_burst),
      world(*b.state, partitions),
      feed(*b.log, *b.state) {}

bool Api::Impl::AwaitProcessed(const events::IngressAck& ack) {
  if (!b.decisions_visible) return false;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(o.command_wait_ms);
  auto pause = std::chrono::milliseconds(1);
  while (b.processed(ack.partition) <= ack.offset) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  return true;
}

bool Api::Impl::AwaitControlApplied() {
  const uint64_t end = b.log->Head(0).end_offset;
  return end == 0 || AwaitProcessed(events::IngressAck{"", 0, end - 1, false});
}

Status Api::Impl::ForEachCausedBy(
    std::string_view id, uint32_t partition, uint64_t offset, uint64_t window,
    const std::function<bool(const events::fb::Record&, const std::string&)>& fn) {
  const uint64_t end = std::min(b.log->Head(partition).end_offset, offset + 1 + window);
  for (uint64_t from = offset + 1; from < end;) {
    CL_ASSIGN_OR_RETURN(auto batch, b.log->Read(partition, from, 1024));
    if (batch.empty()) break;
    for (const auto& stored : batch) {
      from = stored.offset + 1;
      auto r = events::VerifyRecord(stored.bytes);
      if (!r.ok() || !(*r)->causation_id() || (*r)->causation_id()->string_view() != id) continue;
      if (!fn(**r, stored.bytes)) return Status::Ok();
    }
  }
  return Status::Ok();
}

Access Api::Impl::TicketAccess(const User& u, const engine::Ticket& t) {
  switch (u.role) {
    case Role::kAdmin:
    case Role::kAuditor:
      return Access::kRead;
    case Role::kPublisher:
      return Access::kNone;
    case Role::kStaff:
      if (t.lead == u.department) return Access::kAct;
      if (std::find(t.assist.begin(), t.assist.end(), u.department) != t.assist.end()) {
        return Access::kRead;
      }
      return Access::kNone;
    case Role::kSupervisor: {
      std::string scope = world.With([&](const engine::World& w) {
        const auto* d = w.reference().FindDepartment(u.department);
        return d ? d->jurisdiction : std::string("\x01");  // unknown department: nothing
      });
      if (t.lead == u.department || engine::JurisdictionCovers(scope, t.jurisdiction))
        return Access::kAct;
      return Access::kNone;
    }
    case Role::kInspector:
      if (t.lead == u.department) return Access::kAct;
      if (t.escalated_to == u.department) return Access::kRead;
      return Access::kNone;
    case Role::kEnterprise:
      // Its own tickets, of the workflows that give the enterprise a part (`role enterprise`:
      // its orders, duties and alarms), never the government's work about it (a case being
      // screened or filed, an oversight order about officials).
      if (!engine::AboutEnterprise(t, u.enterprise)) return Access::kNone;
      return world.With([&](const engine::World& w) {
        const dsl::Workflow* wf = w.Find(t.workflow, t.workflow_version);
        return wf != nullptr && std::find(wf->roles.begin(), wf->roles.end(),
                                          engine::kEnterpriseRole) != wf->roles.end()
                   ? Access::kAct
                   : Access::kNone;
      });
  }
  return Access::kNone;
}

void Api::Impl::Route(httplib::Server& server, const std::string& method,
                      const std::string& pattern, uint32_t roles, Handler handler) {
  auto wrapped = [this, method, pattern, roles, handler](const httplib::Request& req,
                                                         httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    Call call{req, res, std::nullopt, ""};
    bool audit = method != "GET";
    [&] {
      if (!SignIn(call, method, pattern, roles)) return;
      if (roles != kPublic) {
        // Auditors and inspectors read personal data; an enterprise reads the government's
        // records about itself: every read of theirs is on the access log, refusals too.
        if (call.user->role == Role::kAuditor || call.user->role == Role::kInspector ||
            call.user->role == Role::kEnterprise) {
          audit = true;
        }
        if (!(roles & RoleBit(call.user->role))) {
          return call.Error(403, "forbidden",
                            "role " + std::string(RoleName(call.user->role)) + " may not " +
                                method + " " + pattern);
        }
        double retry = 0;
        if (!limiter.Allow(call.user->name, b.wall_now(), &retry)) {
          res.set_header("Retry-After", std::to_string(static_cast<int>(retry) + 1));
          return call.Error(429, "rate_limited", "too many requests for this token; slow down");
        }
      }
      RunGuarded(handler, call);
    }();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics.ObserveHttp(method, pattern, res.status, secs);
    if ((audit || call.audit) && call.user) {
      access.Record({b.wall_now(), call.user->name, std::string(RoleName(call.user->role)), method,
                     req.target, res.status, call.detail, req.remote_addr});
    } else if (audit && method != "GET") {
      access.Record(
          {b.wall_now(), "", "", method, req.target, res.status, call.detail, req.remote_addr});
    }
  };
  routes.emplace_back(method, pattern);
  if (method == "GET")
    server.Get(pattern, wrapped);
  else if (method == "POST")
    server.Post(pattern, wrapped);
  else if (method == "PUT")
    server.Put(pattern, wrapped);
  else if (method == "DELETE")
    server.Delete(pattern, wrapped);
}

// ---- Api ---------------------------------------------------------------------------------

Api::Api(ApiBackend backend, ApiOptions options)
    : impl_(std::make_unique<Impl>(std::move(backend), options)) {}

Api::~Api() { Stop(); }

AuthStore& Api::auth() { return impl_->auth; }

Status Api::SyncStaffDirectory() { return impl_->SyncStaffDirectory(); }

std::vector<std::pair<std::string, std::string>> Api::Routes() const { return impl_->routes; }

void Api::Stop() { impl_->feed.Stop(); }

void Api::Register(HttpServer& server) {
  httplib::Server& s = server.routes();
  Impl& im = *impl_;
  // Refuse what must not be read at all, before the body is read.
  s.set_pre_routing_handler([&im](const httplib::Request& req, httplib::Response& res) {
    Call call{req, res, std::nullopt, ""};
    if (req.headers.size() > im.o.max_headers) {
      call.Error(431, "too_many_headers",
                 "at most " + std::to_string(im.o.max_headers) + " header fields");
      return httplib::Server::HandlerResponse::Handled;
    }
    std::string te = req.get_header_value("Transfer-Encoding");
    if (!te.empty()) {
      call.Error(411, "length_required", "chunked request bodies are refused: send Content-Length");
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  im.max_attachment_bytes = server.max_attachment_bytes();
  if (!im.o.data_dir.empty()) {
    im.files = std::make_unique<file::AttachmentStore>(im.o.data_dir + "/attachments");
  }
  im.RegisterAttachments(s);
  im.RegisterOps(s);
  im.RegisterEvents(s);
  im.RegisterTickets(s);
  im.RegisterAudit(s);
  im.RegisterAdmin(s);
  im.RegisterStream(s);
  im.RegisterOpen311(s);
  im.RegisterOverview(s);
  im.RegisterNotify(s);
  im.RegisterPlaces(s);
  im.RegisterPeople(s);
  im.RegisterReports(s);
  RegisterConsole(s);  // the web console at /
  // A last resort for exceptions outside a route's handler (Route catches its own): the same
  // generic answer, never the exception's text (cpp-httplib's default puts it in a header).
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "a non-standard exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("{} {}: threw: {}", req.method, req.path, Abbreviate(what, 500));
        res.headers.clear();
        Call call{req, res, std::nullopt, ""};
        call.Error(500, "internal", "internal error; the server log has the details");
      });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    Call call{req, res, std::nullopt, ""};
    int status = res.status;
    if (status == 404) return call.Error(404, "not_found", "no such resource: " + req.path);
    if (status == 413) return call.Error(413, "too_large", "request body too large");
    if (status == 405) return call.Error(405, "method_not_allowed", req.method + " " + req.path);
    call.Error(status, "error", "HTTP " + std::to_string(status));
  });
  im.feed.Start();
}

}  // namespace closeloop::http
