// The attachment store: types read from the bytes, the same bytes kept once under their
// SHA-256, uploaders remembered, nothing half-written left behind.
#include "connectors/file/attachment_store.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

namespace closeloop::file {
namespace {

namespace fs = std::filesystem;

const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + "rest of a png";
const std::string kJpeg = "\xFF\xD8\xFF\xE0 a jpeg";

TEST_CASE("a file's type is read from its magic numbers, and a refusal says what the bytes are") {
  CHECK(SniffType(kPng) == "image/png");
  CHECK(SniffType(kJpeg) == "image/jpeg");
  CHECK(SniffType(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16) + std::string(8, 'x')) == "image/webp");
  CHECK(SniffType("%PDF-1.7\n") == "application/pdf");
  CHECK_FALSE(SniffType(std::string("RIFF\x10\0\0\0WAVEfmt ", 16)).has_value());
  CHECK_FALSE(SniffType("").has_value());
  CHECK(DescribeBytes("GIF89a...") == "a GIF");
  CHECK(DescribeBytes("<svg onload=alert(1)>") == "markup (HTML, SVG or XML)");
  CHECK(DescribeBytes("\x01\x02\x03\x04\x05") ==
        "none of JPEG, PNG, WebP, PDF (they begin 01 02 03 04)");
  CHECK(IsAcceptedType("application/pdf"));
  CHECK_FALSE(IsAcceptedType("image/svg+xml"));
  CHECK(ExtensionOf("image/jpeg") == "jpg");
}

TEST_CASE("the same bytes are stored once under their hash; every uploader is remembered") {
  fs::path dir = fs::temp_directory_path() / "closeloop-attachment-store-test";
  fs::remove_all(dir);
  fs::create_directories(dir / "attachments" / "tmp");
  std::ofstream(dir / "attachments" / "tmp" / "leftover.0") << "half a file";
  AttachmentStore store((dir / "attachments").string());
  auto a = store.Put(kPng, "li");
  REQUIRE(a.ok());
  CHECK(a->created);
  CHECK(a->size == kPng.size());
  CHECK(a->type == "image/png");
  CHECK(IsSha256Hex(a->sha256));
  CHECK(fs::is_empty(dir / "attachments" / "tmp"));  // the crash's leftover is gone
  auto b = store.Put(kPng, "wang");
  REQUIRE(b.ok());
  CHECK_FALSE(b->created);
  CHECK(b->sha256 == a->sha256);
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "attachments")) {
    files += e.is_regular_file() && e.path().filename() == a->sha256;
  }
  CHECK(files == 1);
  CHECK(*store.Read(a->sha256) == kPng);
  CHECK(store.Stat(a->sha256)->value().type == "image/png");
  CHECK(*store.UploadedBy(a->sha256, "li"));
  CHECK(*store.UploadedBy(a->sha256, "wang"));
  CHECK_FALSE(*store.UploadedBy(a->sha256, "zhao"));
  CHECK_FALSE(store.Stat(std::string(64, '0'))->has_value());
  CHECK_FALSE(store.Stat("../../etc/passwd")->has_value());
  auto refused = store.Put("GIF89a", "li");
  CHECK(refused.status().code() == Code::kInvalidArgument);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace closeloop::file
