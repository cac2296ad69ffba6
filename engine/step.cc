#include "engine/step.h"

#include "engine/resource_ledger.h"
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

namespace {

// The records that may move a ticket's lead department (applier.cc).
bool MayMoveLead(fb::Body type) {
  return type == fb::Body::TicketRouted || type == fb::Body::TicketReturned ||
         type == fb::Body::TicketTransferred || type == fb::Body::TicketEscalated;
}

}  // namespace

Status Step::Emit(fb::BodyUnion body, const Ticket& about) {
  if (!MayMoveLead(body.type)) return EmitOne(std::move(body), about);
  // A ticket's assignee (承办人) is a person of its lead department: when the lead moves, the
  // assignment ends, on the record, right after the record that moved it. The lead before
  // is read from state, not from `about` (a caller's copy may be older).
  std::string lead_before;
  if (!about.id.empty()) {
    CL_ASSIGN_OR_RETURN(auto before, tickets_.Load(about.id));
    if (!before || before->assignee.empty()) return EmitOne(std::move(body), about);
    lead_before = before->lead;
  }
  CL_RETURN_IF_ERROR(EmitOne(std::move(body), about));
  if (about.id.empty()) return Status::Ok();
  CL_ASSIGN_OR_RETURN(auto t, tickets_.Load(about.id));
  if (!t || t->assignee.empty() || t->lead == lead_before) return Status::Ok();
  fb::TicketAssignedT r;
  r.ticket_id = t->id;
  r.previous = t->assignee;
  r.department = t->lead;
  r.reason = "the lead moved from " + lead_before + " to " + t->lead;
  if (const StaffDirectory* staff = world().staff()) {
    if (const StaffPerson* p = staff->Find(r.previous)) r.previous_name = p->name;
  }
  r.version = t->version + 1;
  fb::BodyUnion cleared;
  cleared.Set(std::move(r));
  return EmitOne(std::move(cleared), *t);
}

Status Step::EmitOne(fb::BodyUnion body, const Ticket& about) {
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
  // The resource ledger's records go to every partition (resource_ledger.h).
  const bool everywhere = IsLedgerRecord(body.type);
  r.body = std::move(body);
  flatbuffers::FlatBufferBuilder fbb(512);
  fbb.Finish(fb::Record::Pack(fbb, &r), fb::RecordIdentifier());
  std::string bytes(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  CL_ASSIGN_OR_RETURN(const fb::Record* rec, events::VerifyRecord(bytes));
  auto& own = emitted_[partition()];
  tickets_.set_record_place(TicketTable::RecordPlace::Pending(append_base_ + own.size()));
  CL_RETURN_IF_ERROR(ApplyEngineRecord(*rec, bytes, tickets_));
  own.push_back(bytes);
  if (everywhere) {
    for (uint32_t p = 0; p < partitions_; ++p) {
      if (p != partition()) emitted_[p].push_back(bytes);
    }
  } else if (copy_to != partition()) {
    emitted_[copy_to].push_back(std::move(bytes));
  }
  return Status::Ok();
}

}  // namespace closeloop::engine
