#include "events/hash.h"

#include <doctest/doctest.h>

#include "events/partition.h"

namespace closeloop::events {
namespace {

TEST_CASE("sha-256 matches the FIPS 180-2 test vector") {
  CHECK(ToHex(Sha256Of(std::string_view("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 inc;
  inc.Update("a");
  inc.Update("bc");
  CHECK(inc.Finish() == Sha256Of(std::string_view("abc")));
}

TEST_CASE("hex round-trips and rejects bad digits") {
  Hash h = Sha256Of(std::string_view("x"));
  auto back = HashFromHex(ToHex(h));
  REQUIRE(back.ok());
  CHECK(*back == h);
  CHECK_FALSE(HashFromHex("zz").ok());
  CHECK_FALSE(HashFromHex(std::string(64, 'G')).ok());
}

TEST_CASE("genesis hashes differ by log and partition") {
  CHECK(GenesisHash("a", 0) != GenesisHash("a", 1));
  CHECK(GenesisHash("a", 0) != GenesisHash("b", 0));
}

TEST_CASE("murmur2 matches Kafka's partitioner") {
  // Values from Kafka's UtilsTest.testMurmur2 (org.apache.kafka.common.utils).
  CHECK(static_cast<int32_t>(Murmur2("21")) == -973932308);
  CHECK(static_cast<int32_t>(Murmur2("foobar")) == -790332482);
  CHECK(static_cast<int32_t>(Murmur2("a-little-bit-long-string")) == -985981536);
  CHECK(static_cast<int32_t>(Murmur2("a-little-bit-longer-string")) == -1486304829);
  CHECK(static_cast<int32_t>(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")) ==
        -58897971);
  CHECK(static_cast<int32_t>(Murmur2("abc")) == 479470107);
}

TEST_CASE("a subject always maps to the same partition, within range") {
  for (uint32_t n : {1u, 4u, 7u}) {
    uint32_t p = PartitionForKey("ENT-320102-0001", n);
    CHECK(p < n);
    CHECK(p == PartitionForKey("ENT-320102-0001", n));
  }
}

}  // namespace
}  // namespace closeloop::events
