// Witnesses (closeloop witness): the discipline commission follows a live server's
// checkpoints, checks each extends the last it cosigned, cosigns it, and hands it back; the
// evidence bundle then carries the cosignature and `evidence verify --witness --quorum`
// requires it. A witness shown a second history refuses to cosign.
#include <doctest/doctest.h>

#include <fstream>

#include "tests/api/api_fixture.h"
#include "tests/support/child_process.h"

namespace closeloop::testing {
namespace {

ChildRun Closeloop(std::vector<std::string> args) {
  args.insert(args.begin(), CLOSELOOP_BIN);
  auto r = RunChild(args, "", std::nullopt);
  REQUIRE(r.ok());
  return *r;
}

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST_CASE("a witness cosigns the checkpoints, bundles carry it, and a quorum is required") {
  ApiFixture api("witness");
  std::string id = api.OpenFireTicket();
  api.WaitTicket(id);
  Reply published = api.Get("", "/.well-known/closeloop-checkpoint-key");
  REQUIRE(published.status == 200);
  const std::string log_key = published.text.substr(0, published.text.find('\n'));
  REQUIRE(api.Post("auditor", "/v1/audit/checkpoints", json::object()).status == 200);

  // The commission makes its key once and publishes the verifier half.
  const auto key_file = (api.dir / "jw.key").string();
  auto made =
      Closeloop({"witness", "key", "--name", "jw.nanjing.example/witness", "--out", key_file});
  REQUIRE_MESSAGE(made.exit_code == 0, made.out);
  const std::string witness_key = made.out.substr(0, made.out.find('\n'));
  CHECK(witness_key.rfind("jw.nanjing.example/witness+", 0) == 0);
  CHECK(Closeloop({"witness", "key", "--name", "x", "--out", key_file}).exit_code == 2);  // kept
  const auto state = (api.dir / "jw.state").string();
  std::vector<std::string> run = {
      "witness",   "run",   "--server", api.server.url(), "--token", api.token("inspector"),
      "--log-key", log_key, "--key",    key_file,         "--state", state,
      "--once"};
  auto first = Closeloop(run);
  REQUIRE_MESSAGE(first.exit_code == 0, first.out);
  CHECK(first.out.find("cosigned ") != std::string::npos);

  // More records, a new checkpoint: the witness checks the consistency proof and cosigns.
  std::string second_id = api.OpenFireTicket("ent-xw-002");
  api.WaitTicket(second_id);
  // (A bundle signs a checkpoint covering the chain when the newest does not yet.)
  REQUIRE(api.Get("auditor", "/v1/chains/" + second_id + "/evidence").status == 200);
  auto again = Closeloop(run);
  REQUIRE_MESSAGE(again.exit_code == 0, again.out);
  CHECK(again.out.find("cosigned ") != std::string::npos);

  // The evidence bundle carries the cosignature; the verifier counts trusted witnesses.
  Reply bundle = api.Get("auditor", "/v1/chains/" + second_id + "/evidence");
  REQUIRE(bundle.status == 200);
  const auto file = (api.dir / "evidence.json").string();
  std::ofstream(file, std::ios::binary) << bundle.text;
  auto ok = Closeloop(
      {"evidence", "verify", file, "--key", log_key, "--witness", witness_key, "--quorum", "1"});
  CHECK_MESSAGE(ok.exit_code == 0, ok.out);
  CHECK(ok.out.find("cosigned by witness jw.nanjing.example/witness") != std::string::npos);
  // A second trusted witness who never saw it: a quorum of 2 is not met.
  const auto other_file = (api.dir / "audit-office.key").string();
  auto other =
      Closeloop({"witness", "key", "--name", "audit.nanjing.example/w", "--out", other_file});
  REQUIRE(other.exit_code == 0);
  const std::string other_key = other.out.substr(0, other.out.find('\n'));
  auto short_quorum = Closeloop({"evidence", "verify", file, "--key", log_key, "--witness",
                                 witness_key, "--witness", other_key, "--quorum", "2"});
  CHECK(short_quorum.exit_code == 1);
  CHECK(short_quorum.out.find("fewer than the quorum of 2") != std::string::npos);
  // A log key is no witness key.
  CHECK(Closeloop({"evidence", "verify", file, "--witness", log_key}).exit_code == 2);

  // One record's proof in the transparency logs' own form (c2sp.org/tlog-proof), the
  // witness's cosignature on its checkpoint: the auditor downloads it and checks it offline.
  Reply ticket = api.Get("auditor", "/v1/tickets/" + second_id);
  REQUIRE(ticket.status == 200);
  const std::string record_id = ticket.body["history"][0]["id"];
  Reply proof = api.Get("auditor", "/v1/audit/proof?record=" + record_id);
  REQUIRE(proof.status == 200);
  CHECK(proof.text.rfind("c2sp.org/tlog-proof@v1\nextra ", 0) == 0);
  CHECK(proof.text.find("\xE2\x80\x94 jw.nanjing.example/witness ") != std::string::npos);
  const auto proof_file = (api.dir / "record.tlog-proof").string();
  std::ofstream(proof_file, std::ios::binary) << proof.text;
  auto proven =
      Closeloop({"evidence", "verify", proof_file, "--key", log_key, "--witness", witness_key});
  CHECK_MESSAGE(proven.exit_code == 0, proven.out);
  CHECK(proven.out.find("ok: this record (c2sp.org/tlog-proof) is in log") != std::string::npos);
  CHECK(proven.out.find(record_id) != std::string::npos);
  CHECK(proven.out.find("cosigned by witness jw.nanjing.example/witness") != std::string::npos);
  // A proof names no key: without --key there is nothing to check it against.
  CHECK(Closeloop({"evidence", "verify", proof_file}).exit_code == 2);
  std::string tampered = proof.text;
  tampered[tampered.find("\n\n") - 2] ^= 1;  // the last proof hash
  std::ofstream(proof_file, std::ios::binary | std::ios::trunc) << tampered;
  auto caught = Closeloop({"evidence", "verify", proof_file, "--key", log_key});
  CHECK(caught.exit_code == 1);
  CHECK(caught.out.rfind("NOT PROVEN: ", 0) == 0);
  // By position too; and refused as an attacker would try it.
  CHECK(api.Get("auditor", "/v1/audit/proof?partition=0&offset=0").status == 200);
  CHECK(api.Get("fire", "/v1/audit/proof?record=" + record_id).status == 403);
  CHECK(api.Get("auditor", "/v1/audit/proof?record=no-such-record").status == 404);
  CHECK(api.Get("auditor", "/v1/audit/proof?partition=99&offset=0").status == 400);
  CHECK(api.Get("auditor", "/v1/audit/proof?partition=0&offset=99999999").status == 404);
  CHECK(api.Get("auditor", "/v1/audit/proof?record=" + record_id + "&offset=1").status == 400);

  // The server keeps only cosignatures that verify, of checkpoints it signed.
  Reply cps = api.Get("inspector", "/v1/audit/checkpoints?limit=1");
  REQUIRE(cps.status == 200);
  std::string note = cps.body["checkpoints"][0]["note"];
  CHECK(note.find("\xE2\x80\x94 jw.nanjing.example/witness ") != std::string::npos);
  std::string forged = note;
  forged.replace(forged.find('\n') + 1, 1, "9");  // another tree size
  Reply refused = api.Post("inspector", "/v1/audit/cosignatures",
                           {{"checkpoint", forged}, {"witness_key", witness_key}});
  CHECK(refused.status == 422);
  CHECK(refused.body["error"]["field"] == "checkpoint");
  CHECK(api.Post("inspector", "/v1/audit/cosignatures",
                 {{"checkpoint", note}, {"witness_key", log_key}})
            .status == 422);
  CHECK(api.Post("fire", "/v1/audit/cosignatures",
                 {{"checkpoint", note}, {"witness_key", witness_key}})
            .status == 403);

  // Shown a different history (the state remembers another root at the size it cosigned),
  // the witness refuses and cosigns nothing.
  auto seen = json::parse(Slurp(state));
  REQUIRE(!seen.empty());
  std::string origin = seen.begin().key();
  seen[origin]["root"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  std::ofstream(state, std::ios::trunc) << seen.dump();
  auto refusal = Closeloop(run);
  CHECK(refusal.exit_code == 1);
  CHECK(refusal.out.find("INCONSISTENT " + origin) != std::string::npos);
  CHECK(json::parse(Slurp(state))[origin]["root"] == seen[origin]["root"]);  // unchanged
}

}  // namespace
}  // namespace closeloop::testing
