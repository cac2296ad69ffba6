#include "base/status.h"

#include <doctest/doctest.h>

namespace closeloop {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgument("odd: " + std::to_string(n));
  return n / 2;
}

Result<int> Quarter(int n) {
  CL_ASSIGN_OR_RETURN(int h, Half(n));
  CL_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST_CASE("a default status is ok and prints OK") {
  Status s;
  CHECK(s.ok());
  CHECK(s.ToString() == "OK");
}

TEST_CASE("an error status keeps its code and annotated message") {
  Status s = NotFound("ticket T-1").Annotate("history");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == Code::kNotFound);
  CHECK(s.ToString() == "NotFound: history: ticket T-1");
}

TEST_CASE("assign-or-return propagates the first failure") {
  CHECK(Quarter(8).value() == 2);
  Result<int> r = Quarter(6);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "odd: 3");
}

}  // namespace
}  // namespace closeloop
