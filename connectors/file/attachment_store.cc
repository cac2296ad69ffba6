#include "connectors/file/attachment_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "events/hash.h"

namespace closeloop::file {
namespace {

namespace fs = std::filesystem;

bool Begins(std::string_view bytes, std::string_view magic) { return bytes.starts_with(magic); }

Status Errno(const std::string& what) { return IOError(what + ": " + std::strerror(errno)); }

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("cannot write " + path);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Errno("cannot open " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("cannot fsync " + dir);
  return Status::Ok();
}

Status MakeDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IOError("cannot create " + dir + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

bool IsAcceptedType(std::string_view media_type) {
  for (auto t : kAcceptedTypes) {
    if (t == media_type) return true;
  }
  return false;
}

std::optional<std::string_view> SniffType(std::string_view b) {
  if (Begins(b, "\xFF\xD8\xFF")) return "image/jpeg";
  if (Begins(b, "\x89PNG\r\n\x1A\n")) return "image/png";
  if (b.size() >= 12 && Begins(b, "RIFF") && b.substr(8, 4) == "WEBP") return "image/webp";
  if (Begins(b, "%PDF-")) return "application/pdf";
  return std::nullopt;
}

std::string DescribeBytes(std::string_view b) {
  if (auto t = SniffType(b)) {
    if (*t == "image/jpeg") return "a JPEG";
    if (*t == "image/png") return "a PNG";
    if (*t == "image/webp") return "a WebP";
    return "a PDF";
  }
  if (Begins(b, "GIF87a") || Begins(b, "GIF89a")) return "a GIF";
  if (Begins(b, "PK\x03\x04")) return "a ZIP archive (or an Office document)";
  if (b.size() >= 12 && b.substr(4, 4) == "ftyp") return "an ISO media file (HEIC, MP4)";
  if (Begins(b, "<") || Begins(b, "\xEF\xBB\xBF<")) return "markup (HTML, SVG or XML)";
  std::string head;
  static const char* kHex = "0123456789abcdef";
  for (size_t i = 0; i < std::min<size_t>(b.size(), 4); ++i) {
    auto c = static_cast<unsigned char>(b[i]);
    head += (head.empty() ? "" : " ") + std::string{kHex[c >> 4], kHex[c & 15]};
  }
  return "none of JPEG, PNG, WebP, PDF (they begin " + head + ")";
}

std::string_view ExtensionOf(std::string_view t) {
  if (t == "image/jpeg") return "jpg";
  if (t == "image/png") return "png";
  if (t == "image/webp") return "webp";
  if (t == "application/pdf") return "pdf";
  return "bin";
}

bool IsSha256Hex(std::string_view hex) {
  if (hex.size() != 64) return false;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

AttachmentStore::AttachmentStore(std::string dir) : dir_(std::move(dir)) {}

std::string AttachmentStore::PathOf(std::string_view hex) const {
  return dir_ + "/" + std::string(hex.substr(0, 2)) + "/" + std::string(hex);
}

// Creates the directory and empties its temporary area (what a crash left half-written).
Status AttachmentStore::Prepare() {
  if (prepared_) return Status::Ok();
  CL_RETURN_IF_ERROR(MakeDir(dir_ + "/tmp"));
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_ + "/tmp", ec)) fs::remove(e.path(), ec);
  prepared_ = true;
  return Status::Ok();
}

Result<StoredFile> AttachmentStore::Put(std::string_view bytes, std::string_view uploader) {
  auto type = SniffType(bytes);
  if (!type) return InvalidArgument("the bytes are " + DescribeBytes(bytes));
  StoredFile f;
  f.sha256 = events::ToHex(events::Sha256Of(bytes));
  f.size = bytes.size();
  f.type = std::string(*type);
  const std::string path = PathOf(f.sha256);
  const std::string shard = dir_ + "/" + f.sha256.substr(0, 2);
  std::string tmp;
  {
    std::lock_guard lock(mu_);
    CL_RETURN_IF_ERROR(Prepare());
    tmp = dir_ + "/tmp/" + f.sha256 + "." + std::to_string(next_tmp_++);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    CL_RETURN_IF_ERROR(MakeDir(shard));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return Errno("cannot create " + tmp);
    Status w = WriteAll(fd, bytes, tmp);
    if (w.ok() && ::fsync(fd) != 0) w = Errno("cannot fsync " + tmp);
    ::close(fd);
    if (w.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) w = Errno("cannot rename " + tmp);
    if (!w.ok()) {
      ::unlink(tmp.c_str());
      return w;
    }
    CL_RETURN_IF_ERROR(SyncDir(shard));
    f.created = true;
  }
  std::lock_guard lock(mu_);
  CL_ASSIGN_OR_RETURN(bool known, [&]() -> Result<bool> {
    std::ifstream in(path + ".uploaders");
    std::string line;
    while (std::getline(in, line)) {
      if (line == uploader) return true;
    }
    return false;
  }());
  if (!known) {
    const std::string who = path + ".uploaders";
    int fd = ::open(who.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) return Errno("cannot open " + who);
    Status w = WriteAll(fd, std::string(uploader) + "\n", who);
    if (w.ok() && ::fsync(fd) != 0) w = Errno("cannot fsync " + who);
    ::close(fd);
    CL_RETURN_IF_ERROR(w);
  }
  return f;
}

Result<std::optional<StoredFile>> AttachmentStore::Stat(std::string_view hex) const {
  if (!IsSha256Hex(hex)) return std::optional<StoredFile>();
  const std::string path = PathOf(hex);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<StoredFile>();
    return Errno("cannot open " + path);
  }
  char head[16];
  ssize_t n = ::pread(fd, head, sizeof head, 0);
  struct stat st {};
  int rc = ::fstat(fd, &st);
  ::close(fd);
  if (n < 0 || rc != 0) return Errno("cannot read " + path);
  auto type = SniffType(std::string_view(head, static_cast<size_t>(n)));
  if (!type) return Corruption(path + ": stored bytes of no accepted type");
  return std::optional<StoredFile>(
      StoredFile{std::string(hex), static_cast<uint64_t>(st.st_size), std::string(*type), false});
}

Result<std::string> AttachmentStore::Read(std::string_view hex) const {
  if (!IsSha256Hex(hex)) return NotFound("no file " + std::string(hex));
  std::ifstream in(PathOf(hex), std::ios::binary);
  if (!in) return NotFound("no file " + std::string(hex));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return IOError("cannot read " + PathOf(hex));
  return std::move(out).str();
}

Result<bool> AttachmentStore::UploadedBy(std::string_view hex, std::string_view user) const {
  if (!IsSha256Hex(hex)) return false;
  std::lock_guard lock(mu_);
  std::ifstream in(PathOf(hex) + ".uploaders");
  std::string line;
  while (std::getline(in, line)) {
    if (line == user) return true;
  }
  return false;
}

}  // namespace closeloop::file
