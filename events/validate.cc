#include "events/validate.h"

#include <cmath>
#include <regex>

#include "events/ids.h"
#include "events/partition.h"

namespace closeloop::events {
namespace {

// 2000-01-01 and 2100-01-01 in milliseconds: anything outside is a unit mistake
// (seconds instead of milliseconds) or garbage.
constexpr int64_t kMinTime = 946684800000;
constexpr int64_t kMaxTime = 4102444800000;
constexpr size_t kMaxKeyLength = 256;

class Checker {
 public:
  void Error(std::string field, std::string message) {
    errors_.push_back({std::move(field), std::move(message)});
  }
  void Time(const char* field, int64_t v, bool required) {
    if (v == 0) {
      if (required) Error(field, "required: milliseconds since the Unix epoch");
      return;
    }
    if (v < kMinTime || v >= kMaxTime) {
      Error(field, "out of range: " + std::to_string(v) +
                       " is not milliseconds between 2000 and 2100 (seconds given?)");
    }
  }
  void Key(const char* field, const flatbuffers::String* s, bool required) {
    if (s == nullptr || s->size() == 0) {
      if (required) Error(field, "required");
      return;
    }
    if (s->size() > kMaxKeyLength) {
      Error(field, "longer than " + std::to_string(kMaxKeyLength) + " bytes");
      return;
    }
    for (unsigned char c : s->string_view()) {
      if (c < 0x20 || c == 0x7f) {
        Error(field, "contains a control character");
        return;
      }
    }
  }
  void Finite(std::string field, double v) {
    if (!std::isfinite(v)) Error(std::move(field), "must be a finite number");
  }
  void Geo(const char* field, const fb::GeoPoint* g) {
    if (g == nullptr) return;
    if (!(g->lat() >= -90 && g->lat() <= 90))
      Error(std::string(field) + ".lat", "must be in [-90, 90]");
    if (!(g->lon() >= -180 && g->lon() <= 180))
      Error(std::string(field) + ".lon", "must be in [-180, 180]");
  }
  void Dates(const char* field,
             const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* v) {
    static const std::regex iso(R"(^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$)");
    if (v == nullptr) return;
    for (flatbuffers::uoffset_t i = 0; i < v->size(); ++i) {
      if (!std::regex_match(v->Get(i)->str(), iso)) {
        Error(std::string(field) + "[" + std::to_string(i) + "]", "must be an ISO date YYYY-MM-DD");
      }
    }
  }
  std::vector<FieldError> Take() { return std::move(errors_); }

 private:
  std::vector<FieldError> errors_;
};

void CheckBody(const fb::Record& r, Checker& c) {
  using B = fb::Body;
  switch (r.body_type()) {
    case B::SensorAlarm: {
      auto* b = r.body_as_SensorAlarm();
      c.Finite("body.value", b->value());
      c.Finite("body.threshold", b->threshold());
      break;
    }
    case B::VideoAlarm: {
      auto* b = r.body_as_VideoAlarm();
      if (!(b->confidence() >= 0 && b->confidence() <= 1))
        c.Error("body.confidence", "must be in [0, 1]");
      c.Geo("body.location", b->location());
      break;
    }
    case B::HazardReport:
      c.Geo("body.location", r.body_as_HazardReport()->location());
      break;
    case B::IncidentReport: {
      auto* b = r.body_as_IncidentReport();
      c.Geo("body.location", b->location());
      if (b->casualties() < 0) c.Error("body.casualties", "must not be negative");
      if (b->trapped() < 0) c.Error("body.trapped", "must not be negative");
      if (b->deaths() < 0) c.Error("body.deaths", "must not be negative");
      if (b->serious_injuries() < 0) c.Error("body.serious_injuries", "must not be negative");
      c.Finite("body.direct_loss_yuan", b->direct_loss_yuan());
      if (b->direct_loss_yuan() < 0) c.Error("body.direct_loss_yuan", "must not be negative");
      break;
    }
    case B::ServiceRequest:
      c.Geo("body.location", r.body_as_ServiceRequest()->location());
      break;
    case B::EnforcementStep:
      // The case it moves: an update naming no case would match every open case of the
      // enterprise (enforcement_case.wf matches on case_id).
      c.Key("body.case_id", r.body_as_EnforcementStep()->case_id(), true);
      c.Finite("body.penalty_yuan", r.body_as_EnforcementStep()->penalty_yuan());
      break;
    case B::StaffCommand: {
      auto* b = r.body_as_StaffCommand();
      c.Key("body.ticket_id", b->ticket_id(), true);
      c.Key("body.verb", b->verb(), true);
      if (b->days() < 0) c.Error("body.days", "must not be negative");
      c.Key("actor", r.actor(), true);
      break;
    }
    case B::PageAcknowledgement:
      c.Key("body.delivery_id", r.body_as_PageAcknowledgement()->delivery_id(), true);
      break;
    case B::ClockTick:
      c.Time("body.now", r.body_as_ClockTick()->now(), true);
      break;
    case B::CalendarUpdated: {
      auto* b = r.body_as_CalendarUpdated();
      c.Dates("body.holidays", b->holidays());
      c.Dates("body.workdays", b->workdays());
      if (b->work_start_minute() < 0 || b->work_end_minute() > 24 * 60 ||
          b->work_start_minute() > b->work_end_minute()) {
        c.Error("body.work_start_minute", "working hours must satisfy 0 <= start <= end <= 1440");
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace

std::vector<FieldError> ValidateIngress(const fb::Record& r) {
  Checker c;
  BodyKind kind = KindOf(r.body_type());
  if (kind == BodyKind::kNone) {
    c.Error("body_type", "required: the record's type");
    return c.Take();
  }
  if (kind == BodyKind::kEngine) {
    c.Error("body_type", std::string(BodyName(r.body_type())) +
                             " is written by the engine and cannot be published");
    return c.Take();
  }
  if (r.body() == nullptr) {  // a type without a body: nothing below may look inside it
    c.Error("body", "required: the " + std::string(BodyName(r.body_type())) + " itself");
    return c.Take();
  }
  if (r.id() != nullptr && !r.id()->string_view().empty()) {
    auto id = Id::Parse(r.id()->string_view());
    if (!id.ok()) c.Error("id", id.status().message());
  }
  if (r.prev_hash() != nullptr) c.Error("prev_hash", "set by the log; leave it out");
  if (r.recorded_at() != 0) c.Error("recorded_at", "set by the log; leave it out");
  bool ingress = kind == BodyKind::kIngress;
  c.Key("source", r.source(), true);
  c.Key("subject", r.subject(), ingress);
  c.Key("jurisdiction", r.jurisdiction(), false);
  c.Key("actor", r.actor(), false);
  c.Key("causation_id", r.causation_id(), false);
  c.Key("correlation_id", r.correlation_id(), false);
  c.Time("occurred_at", r.occurred_at(), ingress);
  CheckBody(r, c);
  return c.Take();
}

Result<std::string> StampIngress(std::string_view bytes, int64_t now_ms) {
  CL_ASSIGN_OR_RETURN(const fb::Record* rec, VerifyRecord(bytes));
  fb::RecordT r;
  rec->UnPackTo(&r);
  if (r.id.empty()) r.id = NewRandomId(now_ms).ToString();
  r.recorded_at = now_ms;
  if (r.occurred_at == 0) r.occurred_at = now_ms;
  r.prev_hash = std::string(kUnsetHash);
  flatbuffers::FlatBufferBuilder fbb(bytes.size() + 128);
  fbb.Finish(fb::Record::Pack(fbb, &r), fb::RecordIdentifier());
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

bool SameSubmission(std::string_view stored, std::string_view fresh, std::string* difference) {
  fb::RecordT a, b;
  (*VerifyRecord(stored))->UnPackTo(&a);
  (*VerifyRecord(fresh))->UnPackTo(&b);
  // The boundary's own stamps are not the publisher's content. occurred_at is the
  // publisher's unless the boundary set it (then it equals recorded_at).
  const bool occurred_was_stamped = a.occurred_at == a.recorded_at;
  a.recorded_at = b.recorded_at = 0;
  a.prev_hash.clear();
  b.prev_hash.clear();
  if (occurred_was_stamped) a.occurred_at = b.occurred_at = 0;
  struct Field {
    const char* name;
    bool same;
  };
  const Field fields[] = {
      {"source", a.source == b.source},
      {"subject", a.subject == b.subject},
      {"jurisdiction", a.jurisdiction == b.jurisdiction},
      {"actor", a.actor == b.actor},
      {"occurred_at", a.occurred_at == b.occurred_at},
      {"causation_id", a.causation_id == b.causation_id},
      {"correlation_id", a.correlation_id == b.correlation_id},
      {"body_type", a.body.type == b.body.type},
  };
  for (const auto& f : fields) {
    if (!f.same) {
      *difference = f.name;
      return false;
    }
  }
  // The bodies: compare their canonical encodings (Pack is deterministic for equal objects).
  auto pack = [](const fb::RecordT& r) {
    flatbuffers::FlatBufferBuilder fbb(256);
    fbb.ForceDefaults(false);
    fbb.Finish(fb::Record::Pack(fbb, &r), fb::RecordIdentifier());
    return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  };
  if (pack(a) != pack(b)) {
    *difference = "body";
    return false;
  }
  return true;
}

std::vector<uint32_t> TargetPartitions(const fb::Record& record, uint32_t partitions) {
  std::vector<uint32_t> out;
  if (KindOf(record.body_type()) == BodyKind::kControl) {
    for (uint32_t p = 0; p < partitions; ++p) out.push_back(p);
  } else {
    std::string_view subject = record.subject() ? record.subject()->string_view() : "";
    out.push_back(PartitionForKey(subject, partitions));
  }
  return out;
}

}  // namespace closeloop::events
