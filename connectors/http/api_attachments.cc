// Evidence files: POST /v1/attachments stores a photo or document content-addressed by its
// SHA-256 (connectors/file/attachment_store.h) and answers with the reference a command's
// `evidence` carries ("sha256:<hex>"); GET /v1/attachments/{sha256} serves it back to its
// uploaders and to whoever may see a ticket whose accepted evidence references it
// (docs/api.md, "Attachments").
//
// Why a raw body and not multipart/form-data: one file per request, so its size is the
// request's Content-Length and is refused (413) before a byte of it is read; the bytes
// hashed are exactly the bytes sent (no boundary parsing, no part headers, no client file
// name to sanitize: the name is the hash). The declared Content-Type is checked against the
// bytes' magic numbers, which decide.
#include "connectors/file/attachment_store.h"
#include "connectors/http/api_internal.h"
#include "dsl/verb_fields.h"
#include "engine/queries.h"

namespace closeloop::http {
namespace {

std::string MediaType(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (char& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return t;
}

std::string AcceptedList() {
  std::string out;
  for (auto t : file::kAcceptedTypes) out += (out.empty() ? "" : ", ") + std::string(t);
  return out;
}

}  // namespace

Result<bool> Api::Impl::MayReadFile(const User& u, std::string_view hex) {
  CL_ASSIGN_OR_RETURN(bool mine, files->UploadedBy(hex, u.name));
  if (mine) return true;
  CL_ASSIGN_OR_RETURN(auto tickets, engine::TicketsWithFile(*b.state, partitions, hex));
  for (const auto& id : tickets) {
    Access access;
    CL_ASSIGN_OR_RETURN(auto t, VisibleTicket(u, id, &access));
    if (t) return true;
  }
  return false;
}

std::optional<std::string> Api::Impl::UnknownFile(const User& u,
                                                  const std::vector<std::string>& refs) {
  for (const auto& ref : refs) {
    if (!dsl::IsAttachmentRef(ref)) continue;  // the declaration's check names the shape
    std::string_view hex = std::string_view(ref).substr(7);
    auto stored = files
                      ? files->Stat(hex)
                      : Result<std::optional<file::StoredFile>>(std::optional<file::StoredFile>());
    bool ok = stored.ok() && stored->has_value();
    if (ok) {
      auto may = MayReadFile(u, hex);
      ok = may.ok() && *may;
    }
    // The same answer for "not stored" and "stored but not yours to cite": nobody learns
    // which files exist by citing hashes.
    if (!ok) {
      return "evidence: no uploaded file " + ref +
             " that you may cite (upload it first: POST /v1/attachments)";
    }
  }
  return std::nullopt;
}

void Api::Impl::RegisterAttachments(httplib::Server& s) {
  // An enterprise uploads its rectification photos and reads the files of its own tickets.
  const uint32_t uploaders =
      Roles({Role::kStaff, Role::kSupervisor, Role::kInspector, Role::kEnterprise});
  const uint32_t readers = Roles({Role::kStaff, Role::kSupervisor, Role::kInspector,
                                  Role::kAuditor, Role::kAdmin, Role::kEnterprise});

  Route(s, "POST", "/v1/attachments", uploaders, [this](Call& c) {
    if (!files) {
      return c.Error(503, "unavailable", "this server keeps no attachments (no data directory)");
    }
    if (c.req.body.size() > max_attachment_bytes) {
      return c.Error(413, "too_large",
                     "a file of at most " + std::to_string(max_attachment_bytes) + " bytes");
    }
    const std::string declared = MediaType(c.req.get_header_value("Content-Type"));
    if (!file::IsAcceptedType(declared)) {
      return c.Error(415, "unsupported_media_type",
                     "Content-Type: " + (declared.empty() ? std::string("(none)") : declared) +
                         " is not accepted; send the file's bytes as one of " + AcceptedList());
    }
    if (c.req.body.empty()) return c.Error(400, "invalid", "the body is empty: send the file");
    auto actual = file::SniffType(c.req.body);
    if (!actual || *actual != declared) {
      return c.Error(422, "content_mismatch",
                     "Content-Type says " + declared + " but the bytes are " +
                         file::DescribeBytes(c.req.body));
    }
    auto stored = files->Put(c.req.body, c.who().name);
    if (!stored.ok()) return c.Fail(stored.status());
    c.detail = "attachment " + stored->sha256 + " " + std::to_string(stored->size) + " bytes" +
               (stored->created ? "" : " (already stored)");
    c.res.set_header("Location", "/v1/attachments/" + stored->sha256);
    c.Json(stored->created ? 201 : 200, {{"sha256", stored->sha256},
                                         {"ref", "sha256:" + stored->sha256},
                                         {"size", stored->size},
                                         {"type", stored->type},
                                         {"created", stored->created}});
  });

  // What a client checks before sending a file (the front refuses a larger one with a
  // bare 413 before reading it, which a browser may see as a dropped connection).
  Route(s, "GET", "/v1/attachments/limits", readers, [this](Call& c) {
    json types = json::array();
    for (auto t : file::kAcceptedTypes) types.push_back(t);
    c.Json(200,
           {{"max_bytes", max_attachment_bytes}, {"types", types}, {"enabled", files != nullptr}});
  });

  Route(s, "GET", "/v1/attachments/([0-9a-f]{64})", readers, [this](Call& c) {
    const std::string hex = c.req.matches[1];
    if (!files) return c.Error(404, "not_found", "no attachment " + hex);
    auto stored = files->Stat(hex);
    if (!stored.ok()) return c.Fail(stored.status());
    // Not stored, or not yours to read: the same 404, so nobody learns which files exist.
    if (!*stored) return c.Error(404, "not_found", "no attachment " + hex);
    auto may = MayReadFile(c.who(), hex);
    if (!may.ok()) return c.Fail(may.status());
    if (!*may) return c.Error(404, "not_found", "no attachment " + hex);
    auto bytes = files->Read(hex);
    if (!bytes.ok()) return c.Fail(bytes.status());
    const file::StoredFile& f = **stored;
    c.detail = "attachment " + hex;
    // The name is built from the hash and the type the bytes are, never from anything a
    // client sent; the type is what the bytes are, and the browser must not guess another.
    c.res.set_header("Content-Disposition",
                     std::string(f.type == "application/pdf" ? "attachment" : "inline") +
                         "; filename=\"" + hex.substr(0, 16) + "." +
                         std::string(file::ExtensionOf(f.type)) + "\"");
    c.res.set_header("X-Content-Type-Options", "nosniff");
    c.res.set_header("Content-Security-Policy", "default-src 'none'; sandbox");
    c.res.set_header("Cache-Control", "private, max-age=31536000, immutable");
    c.res.set_header("ETag", "\"" + hex + "\"");
    c.res.status = 200;
    c.res.set_content(std::move(*bytes), f.type);
  });
}

}  // namespace closeloop::http
