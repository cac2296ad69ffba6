#include "events/ids.h"

#include <doctest/doctest.h>

#include <set>

namespace closeloop::events {
namespace {

TEST_CASE("an id round-trips through its 26-character text") {
  Id id = NewRandomId(1767225600123);
  std::string text = id.ToString();
  CHECK(text.size() == kIdTextLength);
  auto back = Id::Parse(text);
  REQUIRE(back.ok());
  CHECK(*back == id);
  CHECK(back->time_ms() == 1767225600123);
}

TEST_CASE("ids sort by time as text") {
  std::string a = NewRandomId(1000).ToString();
  std::string b = NewRandomId(2000).ToString();
  CHECK(a < b);
}

TEST_CASE("a known ULID decodes to its documented time") {
  // From the ULID reference implementation's README: ulid(1469922850259).
  auto id = Id::Parse("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  REQUIRE(id.ok());
  CHECK(id->time_ms() == 1469922850259);
  CHECK(id->ToString() == "01ARZ3NDEKTSV4RRFFQ69G5FAV");
}

TEST_CASE("malformed ids are rejected with the reason") {
  CHECK_FALSE(Id::Parse("short").ok());
  CHECK_FALSE(Id::Parse("01ARZ3NDEKTSV4RRFFQ69G5FA!").ok());
  CHECK(Id::Parse("81ARZ3NDEKTSV4RRFFQ69G5FAV").status().message().find("overflows") !=
        std::string::npos);
  CHECK(IsValidId("01arz3ndektsv4rrffq69g5fav"));  // lowercase is accepted
}

TEST_CASE("derived ids are a pure function of time, cause and index") {
  Id a = DeriveId(5000, "01ARZ3NDEKTSV4RRFFQ69G5FAV", 0);
  CHECK(a == DeriveId(5000, "01ARZ3NDEKTSV4RRFFQ69G5FAV", 0));
  CHECK(a != DeriveId(5000, "01ARZ3NDEKTSV4RRFFQ69G5FAV", 1));
  CHECK(a != DeriveId(5000, "01ARZ3NDEKTSV4RRFFQ69G5FAW", 0));
  CHECK(a.time_ms() == 5000);
}

TEST_CASE("random ids do not collide in a large sample") {
  std::set<Id> seen;
  for (int i = 0; i < 100000; ++i) seen.insert(NewRandomId(42));
  CHECK(seen.size() == 100000);
}

}  // namespace
}  // namespace closeloop::events
