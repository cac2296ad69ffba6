// Uploaded files (photos, documents), stored content-addressed by SHA-256 in a directory
// beside the log (DATA/attachments). A file's name is its hash, so the same bytes are kept
// once however often they are uploaded, and a record that carries "sha256:<hex>" commits to
// exactly those bytes (the log's hash chain covers the reference, the reference the bytes).
//
// Writes are all or nothing: the bytes go to a temporary file, are fsynced, then renamed
// into place (and the directory fsynced), so a crash leaves either the whole file or none.
// Who uploaded a file is kept beside it (one line per uploader, appended and fsynced): the
// API lets an uploader read back what they sent before any ticket references it.
//
// What the bytes are is read from the bytes (their magic numbers), never from a name or a
// declared type: JPEG, PNG, WebP and PDF are accepted.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace closeloop::file {

// The accepted media types, as Content-Type names them.
inline constexpr std::string_view kAcceptedTypes[] = {"image/jpeg", "image/png", "image/webp",
                                                      "application/pdf"};

bool IsAcceptedType(std::string_view media_type);
// The accepted type `bytes` are by their magic numbers, or nullopt.
std::optional<std::string_view> SniffType(std::string_view bytes);
// What `bytes` look like, for a refusal: "a JPEG", "a GIF", "HTML", or "none of JPEG, PNG,
// WebP, PDF (they begin 3c 21 44 4f)".
std::string DescribeBytes(std::string_view bytes);
// The file name extension of an accepted type ("jpg", "png", "webp", "pdf").
std::string_view ExtensionOf(std::string_view media_type);
// Whether `hex` is 64 lowercase hex digits (a SHA-256 as file names and references spell it).
bool IsSha256Hex(std::string_view hex);

struct StoredFile {
  std::string sha256;  // 64 lowercase hex digits
  uint64_t size = 0;
  std::string type;      // the media type the bytes are
  bool created = false;  // Put: false when the same bytes were already stored
};

// Thread-safe. One per data directory.
class AttachmentStore {
 public:
  // `dir`: created (with its temporary area) on first use.
  explicit AttachmentStore(std::string dir);

  // Stores `bytes` (of an accepted type, checked by the caller with SniffType) and notes
  // `uploader` as one who sent them. InvalidArgument when the bytes are of no accepted type.
  Result<StoredFile> Put(std::string_view bytes, std::string_view uploader);
  // The stored file `hex`, or nullopt when no such file is stored.
  Result<std::optional<StoredFile>> Stat(std::string_view hex) const;
  Result<std::string> Read(std::string_view hex) const;
  // Whether `user` uploaded the file `hex`.
  Result<bool> UploadedBy(std::string_view hex, std::string_view user) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string PathOf(std::string_view hex) const;
  Status Prepare();

  std::string dir_;
  mutable std::mutex mu_;  // the uploaders files; the first Prepare
  bool prepared_ = false;
  uint64_t next_tmp_ = 0;
};

}  // namespace closeloop::file
