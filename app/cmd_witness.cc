// closeloop witness key | witness run
//
// A witness is a party the bureau does not control (the discipline commission, the city's
// audit office) that follows the log's signed checkpoints, checks that each one extends the
// last it saw (an RFC 9162 consistency proof, checked here, not trusted from the server),
// and cosigns it (C2SP tlog-cosignature/v1). It hands the cosignature back to the server
// (POST /v1/audit/cosignatures), so evidence bundles carry it and `evidence verify
// --witness KEY --quorum N` can require it. A witness never cosigns two views of one log:
// the largest tree it cosigned per partition is kept in its state file, and a checkpoint
// that does not extend it is refused (exit 1, nothing cosigned).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "app/commands.h"
#include "app/remote.h"
#include "app/wall_clock.h"
#include "base/time_text.h"
#include "events/merkle.h"
#include "events/note.h"

namespace closeloop::app {
namespace {

using nlohmann::json;

void WriteFileAtomically(const std::string& path, const std::string& content, bool secret) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) Fail("cannot write " + tmp);
    out << content;
    if (!out.flush()) Fail("cannot write " + tmp);
  }
  if (secret)
    std::filesystem::permissions(
        tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::rename(tmp, path);
}

struct KeyOptions {
  std::string name, out;
};

void RunWitnessKey(const KeyOptions& o) {
  if (std::filesystem::exists(o.out)) Fail(o.out + " exists: a witness keeps its key", 2);
  auto signer = events::GenerateNoteSigner(o.name, events::kCosignatureV1);
  if (!signer.ok()) Fail("--name: " + signer.status().message(), 2);
  WriteFileAtomically(o.out, signer->ToString() + "\n", /*secret=*/true);
  std::cout << signer->Verifier().ToString() << "\n";
}

struct RunOptions {
  RemoteOptions remote;
  std::string log_key, key, state, every = "30s";
  bool once = false;
};

// What the witness has cosigned: per origin, the largest tree (size, base64 root).
struct Seen {
  uint64_t size = 0;
  std::string root;
};

std::map<std::string, Seen> LoadState(const std::string& path) {
  std::map<std::string, Seen> out;
  if (!std::filesystem::exists(path)) return out;
  auto j = json::parse(ReadFileOrFail(path), nullptr, false);
  if (!j.is_object()) Fail(path + ": not a witness state file (a JSON object)", 2);
  for (const auto& [origin, v] : j.items()) {
    if (!v.is_object() || !v.contains("size") || !v["size"].is_number_unsigned() ||
        !v.contains("root") || !v["root"].is_string()) {
      Fail(path + ": " + origin + ": needs size and root", 2);
    }
    out[origin] = {v["size"].get<uint64_t>(), v["root"].get<std::string>()};
  }
  return out;
}

void SaveState(const std::string& path, const std::map<std::string, Seen>& seen) {
  json j = json::object();
  for (const auto& [origin, s] : seen) j[origin] = {{"size", s.size}, {"root", s.root}};
  WriteFileAtomically(path, j.dump(2) + "\n", /*secret=*/false);
}

events::Hash HashFromB64(const std::string& b64, const std::string& what) {
  auto raw = events::Base64Decode(b64);
  if (!raw.ok() || raw->size() != 32) throw std::runtime_error(what + ": not a SHA-256 hash");
  events::Hash h;
  std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

// Checks one checkpoint against what was seen, cosigns and hands it back. Returns false
// (after saying why) when the log showed a view inconsistent with an earlier one.
bool Witness(const RunOptions& o, const events::NoteVerifier& log_key, const events::NoteSigner& me,
             std::map<std::string, Seen>& seen, uint32_t partition, const std::string& note) {
  auto text = events::OpenNote(note, log_key);
  if (!text.ok()) {
    std::cout << "REFUSED partition " << partition << ": " << text.status().message() << "\n";
    return false;
  }
  auto cp = events::ParseCheckpoint(*text);
  if (!cp.ok()) Fail("partition " + std::to_string(partition) + ": " + cp.status().message());
  const std::string root = events::Base64Encode(
      std::string_view(reinterpret_cast<const char*>(cp->root.data()), cp->root.size()));
  auto it = seen.find(cp->origin);
  if (it != seen.end()) {
    const Seen& last = it->second;
    if (cp->size < last.size) return true;  // older than what we cosigned: nothing to do
    if (cp->size == last.size && root != last.root) {
      std::cout << "INCONSISTENT " << cp->origin << ": a tree of " << cp->size
                << " records with root " << root << ", but this witness cosigned root " << last.root
                << " at that size: the log shows two histories\n";
      return false;
    }
    if (cp->size > last.size) {
      auto r = RemoteGet(o.remote, "/v1/audit/consistency?partition=" + std::to_string(partition) +
                                       "&from=" + std::to_string(last.size) +
                                       "&to=" + std::to_string(cp->size));
      if (!r.ok()) Fail(r.status().message());
      if (r->status != 200) Fail("consistency proof: " + DescribeError(*r));
      std::vector<events::Hash> proof;
      for (const auto& h : r->body.value("proof", json::array())) {
        proof.push_back(HashFromB64(h.get<std::string>(), "proof"));
      }
      Status ok = events::VerifyConsistency(last.size, cp->size, proof,
                                            HashFromB64(last.root, "state root"), cp->root);
      if (!ok.ok()) {
        std::cout << "INCONSISTENT " << cp->origin << ": the tree of " << cp->size
                  << " records does not extend the tree of " << last.size
                  << " records this witness cosigned (" << ok.message()
                  << "): the log was rewritten\n";
        return false;
      }
    }
  }
  auto cosigned = events::CosignNote(me, note, static_cast<uint64_t>(WallClockMillis() / 1000));
  if (!cosigned.ok()) Fail(cosigned.status().message());
  // Remember before handing it out: a crash after this never lets a rewritten view through.
  seen[cp->origin] = {cp->size, root};
  SaveState(o.state, seen);
  auto posted =
      RemotePost(o.remote, "/v1/audit/cosignatures",
                 json{{"checkpoint", *cosigned}, {"witness_key", me.Verifier().ToString()}}.dump(),
                 "application/json");
  if (!posted.ok()) Fail(posted.status().message());
  if (posted->status != 200) Fail("handing back the cosignature: " + DescribeError(*posted));
  std::cout << "cosigned " << cp->origin << " at " << cp->size << " records (root " << root
            << ")\n";
  return true;
}

void RunWitness(const RunOptions& o) {
  events::NoteVerifier log_key = VerifierKeyArgument(o.log_key, "--log-key");
  if (log_key.type != events::kNoteEd25519) Fail("--log-key: not a log's key", 2);
  std::string secret = ReadFileOrFail(o.key);
  auto me = events::ParseNoteSigner(secret.substr(0, secret.find('\n')));
  if (!me.ok()) Fail("--key: " + me.status().message(), 2);
  if (me->type != events::kCosignatureV1)
    Fail("--key: not a witness key (make one with `closeloop witness key`)", 2);
  auto every = ParseDuration(o.every);
  if (!every.ok() || *every <= 0) Fail("--every: a duration such as 30s", 2);
  std::map<std::string, Seen> seen = LoadState(o.state);
  for (;;) {
    auto r = RemoteGet(o.remote, "/v1/audit/checkpoints?limit=1");
    if (!r.ok()) Fail(r.status().message());
    if (r->status != 200) Fail("checkpoints: " + DescribeError(*r));
    if (r->body.value("key", "") != log_key.ToString()) {
      std::cout << "REFUSED: the server signs with " << r->body.value("key", "")
                << ", not with the log key this witness follows\n";
      throw CLI::RuntimeError(1);
    }
    try {
      for (const auto& c : r->body.value("checkpoints", json::array())) {
        if (!Witness(o, log_key, *me, seen, c.at("partition").get<uint32_t>(),
                     c.at("note").get<std::string>())) {
          throw CLI::RuntimeError(1);
        }
      }
    } catch (const json::exception& e) {
      Fail(std::string("checkpoints: unexpected reply: ") + e.what());
    } catch (const std::runtime_error& e) {
      Fail(e.what());
    }
    if (o.once) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(*every));
  }
}

}  // namespace

void AddWitnessCommands(CLI::App& root) {
  CLI::App* witness = root.add_subcommand(
      "witness", "Witness the log: check each checkpoint extends the last, cosign it");
  witness->require_subcommand(1);
  auto ko = std::make_shared<KeyOptions>();
  CLI::App* key = witness->add_subcommand(
      "key", "Create a witness's signing key (C2SP cosignature/v1); prints its verifier key");
  key->add_option("--name", ko->name, "the witness's name, e.g. jw.nanjing.gov.cn/witness")
      ->required();
  key->add_option("--out", ko->out, "where to keep the secret key (mode 0600)")->required();
  key->callback([ko] { RunWitnessKey(*ko); });

  auto ro = std::make_shared<RunOptions>();
  CLI::App* run = witness->add_subcommand(
      "run",
      "Follow a server's checkpoints; cosign each one consistent with the last this witness "
      "cosigned; exit 1 on the first inconsistent one");
  AddRemoteOptions(*run, &ro->remote);
  run->add_option("--log-key", ro->log_key,
                  "the log's verifier key (NAME+HASH+KEY or a file), obtained out of band")
      ->required();
  run->add_option("--key", ro->key, "the witness's secret key file (closeloop witness key)")
      ->required();
  run->add_option("--state", ro->state, "the witness's memory: the largest tree cosigned")
      ->required();
  run->add_option("--every", ro->every, "time between rounds (default 30s)");
  run->add_flag("--once", ro->once, "one round, then exit");
  run->callback([ro] {
    if (ro->remote.server.empty()) Fail("--server is required", 2);
    RunWitness(*ro);
  });
}

}  // namespace closeloop::app
