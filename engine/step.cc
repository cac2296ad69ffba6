#include "engine/step.h"

#include "events/ids.h"
#include "events/partition.h"

namespace closeloop::engine {

std::string EngineSource(uint32_t partition) { return "engine/p" + std::to_string(partition); }

std::string Step::actor() const {
  return input_.actor() && input_.actor()->size() > 0 ? input_.actor()->str() : "engine";
}

// Ids derive from the input's id, this partition and a sequence: a control record (a clock
// tick) is processed by every partition under one id, and each must derive different ids.
std::string Step::NewTicketId() {
  return events::DeriveId(now_, input_id_ + "/p" + std::to_string(partition()) + "/ticket",
                          ticket_seq_++)
      .ToString();
}

Status Step::Emit(fb::BodyUnion body, const Ticket& about) {
  fb::RecordT r;
  r.id = events::DeriveId(now_, input_id_ + "/p" + std::to_string(partition()), seq_++).ToString();
  r.source = EngineSource(partition());
  r.subject = about.subject;
  r.jurisdiction = about.jurisdiction;
  r.occurred_at = now_;
  r.recorded_at = now_;
  r.causation_id = input_id_;
  r.correlation_id = about.chain_id.empty() ? about.id : about.chain_id;
  r.actor = actor();
  r.prev_hash = std::string(events::kUnsetHash);
  uint32_t copy_to = partition();
  if (body.type == fb::Body::TicketChained) {
    const auto* chained = body.AsTicketChained();
    if (!chained->child_subject.empty()) {
      copy_to = events::PartitionForKey(chained->child_subject, partitions_);
    }
  }
  r.body = std::move(body);
  flatbuffers::FlatBufferBuilder fbb(512);
  fbb.Finish(fb::Record::Pack(fbb, &r), fb::RecordIdentifier());
  std::string bytes(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  CL_ASSIGN_OR_RETURN(const fb::Record* rec, events::VerifyRecord(bytes));
  auto& own = emitted_[partition()];
  tickets_.set_record_place(TicketTable::RecordPlace::Pending(append_base_ + own.size()));
  CL_RETURN_IF_ERROR(ApplyEngineRecord(*rec, bytes, tickets_));
  own.push_back(bytes);
  if (copy_to != partition()) emitted_[copy_to].push_back(std::move(bytes));
  return Status::Ok();
}

}  // namespace closeloop::engine
