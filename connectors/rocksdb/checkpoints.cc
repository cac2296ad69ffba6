#include "connectors/rocksdb/checkpoints.h"

#include <fcntl.h>
#include <rocksdb/iterator.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

namespace closeloop::rocks {
namespace {

std::string Prefix(uint32_t p) {
  std::string k = "ckp/";
  for (int i = 3; i >= 0; --i) k.push_back(static_cast<char>((p >> (8 * i)) & 0xff));
  return k;
}

std::string Key(uint32_t p, uint64_t size) {
  std::string k = Prefix(p);
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  return k;
}

Result<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("no signing key at " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

Status WriteKeyFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return IOError("cannot create " + tmp);
  std::string content = text + "\n";
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return IOError("cannot write " + tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return IOError("cannot rename to " + path);
  return Status::Ok();
}

}  // namespace

std::string Checkpointer::KeyPath(const std::string& data_dir) {
  return data_dir + "/checkpoint-key";
}

Result<events::NoteVerifier> Checkpointer::ReadVerifier(const std::string& data_dir) {
  CL_ASSIGN_OR_RETURN(std::string text, ReadKeyFile(KeyPath(data_dir)));
  auto signer = events::ParseNoteSigner(text);
  if (!signer.ok()) return signer.status().Annotate(KeyPath(data_dir));
  return signer->Verifier();
}

Result<std::unique_ptr<Checkpointer>> Checkpointer::Open(EmbeddedLog* log, RocksDb* db,
                                                         const std::string& data_dir, bool create) {
  const std::string path = KeyPath(data_dir);
  auto text = ReadKeyFile(path);
  events::NoteSigner signer;
  if (text.ok()) {
    auto parsed = events::ParseNoteSigner(*text);
    if (!parsed.ok()) return parsed.status().Annotate(path);
    signer = std::move(*parsed);
    if (signer.name != log->name()) {
      return FailedPrecondition(path + " is the key of log " + signer.name + ", not of " +
                                log->name());
    }
  } else if (text.status().code() == Code::kNotFound && create) {
    CL_ASSIGN_OR_RETURN(signer, events::GenerateNoteSigner(log->name()));
    CL_RETURN_IF_ERROR(WriteKeyFile(path, signer.ToString()));
  } else {
    return text.status();
  }
  return std::unique_ptr<Checkpointer>(new Checkpointer(log, db, std::move(signer)));
}

Result<StoredCheckpoint> Checkpointer::Decode(uint32_t partition, std::string_view note) const {
  CL_ASSIGN_OR_RETURN(std::string text, events::OpenNote(note, verifier_));
  CL_ASSIGN_OR_RETURN(events::Checkpoint c, events::ParseCheckpoint(text));
  return StoredCheckpoint{partition, std::move(c), std::string(note)};
}

Result<std::vector<StoredCheckpoint>> Checkpointer::Publish(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StoredCheckpoint> out;
  rocksdb::WriteBatch wb;
  for (uint32_t p = 0; p < log_->partition_count(); ++p) {
    events::TreeHead head = log_->Tree(p);
    if (head.size == 0) continue;
    auto latest = Latest(p);
    if (latest.ok() && latest->checkpoint.size >= head.size) continue;
    if (!latest.ok() && latest.status().code() != Code::kNotFound) return latest.status();
    events::Checkpoint c{events::CheckpointOrigin(log_->name(), p), head.size, head.root, now_ms};
    CL_ASSIGN_OR_RETURN(std::string note, events::SignNote(signer_, c.Text()));
    wb.Put(db_->family("meta"), Key(p, head.size), note);
    out.push_back({p, std::move(c), std::move(note)});
  }
  if (!out.empty()) CL_RETURN_IF_ERROR(db_->Write(&wb));
  return out;
}

Result<StoredCheckpoint> Checkpointer::Latest(uint32_t partition) const {
  CL_ASSIGN_OR_RETURN(auto list, List(partition, 1));
  if (list.empty())
    return NotFound("partition " + std::to_string(partition) + " has no checkpoint");
  return std::move(list.front());
}

Result<std::vector<StoredCheckpoint>> Checkpointer::List(uint32_t partition, size_t limit) const {
  std::vector<StoredCheckpoint> out;
  const std::string prefix = Prefix(partition);
  std::unique_ptr<rocksdb::Iterator> it(db_->db()->NewIterator({}, db_->family("meta")));
  for (it->SeekForPrev(Key(partition, UINT64_MAX)); it->Valid() && out.size() < limit; it->Prev()) {
    if (!it->key().starts_with(prefix)) break;
    CL_ASSIGN_OR_RETURN(
        StoredCheckpoint c,
        Decode(partition, std::string_view(it->value().data(), it->value().size())));
    out.push_back(std::move(c));
  }
  CL_RETURN_IF_ERROR(FromRocks(it->status(), "reading checkpoints"));
  return out;
}

Result<StoredCheckpoint> Checkpointer::At(uint32_t partition, uint64_t size) const {
  std::string note;
  rocksdb::Status s = db_->db()->Get({}, db_->family("meta"), Key(partition, size), &note);
  if (s.IsNotFound()) {
    return NotFound("no checkpoint of partition " + std::to_string(partition) + " at " +
                    std::to_string(size) + " records");
  }
  CL_RETURN_IF_ERROR(FromRocks(s, "reading a checkpoint"));
  return Decode(partition, note);
}

Result<StoredCheckpoint> Checkpointer::AddCosignature(std::string_view cosigned,
                                                      const events::NoteVerifier& witness) {
  if (witness.type != events::kCosignatureV1) {
    return InvalidArgument("witness_key: not a cosigner's key (type 0x04)");
  }
  auto text = events::OpenNote(cosigned, verifier_);
  if (!text.ok()) return InvalidArgument("checkpoint: " + text.status().message());
  auto cp = events::ParseCheckpoint(*text);
  if (!cp.ok()) return InvalidArgument("checkpoint: " + cp.status().message());
  std::optional<uint32_t> partition;
  for (uint32_t p = 0; p < log_->partition_count(); ++p) {
    if (cp->origin == events::CheckpointOrigin(log_->name(), p)) partition = p;
  }
  if (!partition) return InvalidArgument("checkpoint: origin " + cp->origin + " is not this log's");
  std::lock_guard<std::mutex> lock(mu_);
  CL_ASSIGN_OR_RETURN(StoredCheckpoint stored, At(*partition, cp->size));
  if (stored.checkpoint.Text() != *text) {
    return InvalidArgument("checkpoint: not the text this log signed at " +
                           std::to_string(cp->size) + " records");
  }
  if (events::OpenCosignature(stored.note, witness).ok()) return stored;  // cosigned before
  CL_ASSIGN_OR_RETURN(auto lines, events::NoteSignatureLines(cosigned));
  for (const std::string& line : lines) {
    std::string candidate = stored.note + line + "\n";
    if (!events::OpenCosignature(candidate, witness).ok()) continue;
    rocksdb::WriteBatch wb;
    wb.Put(db_->family("meta"), Key(*partition, cp->size), candidate);
    CL_RETURN_IF_ERROR(db_->Write(&wb));
    return Decode(*partition, candidate);
  }
  return InvalidArgument("checkpoint: no valid cosignature by " + witness.name);
}

}  // namespace closeloop::rocks
