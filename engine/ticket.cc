#include "engine/ticket.h"

#include <charconv>
#include <cstring>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>

#include "engine/ticket_legacy.h"

namespace closeloop::engine {

using nlohmann::json;

std::string ValueToLiteral(const dsl::Value& v) {
  if (v.type() == dsl::ValueType::kString) return json(v.as_string()).dump();
  if (v.type() == dsl::ValueType::kDuration) return json(v.ToString()).dump();  // kept as text
  return v.ToString();
}

dsl::Value ValueFromLiteral(std::string_view text) {
  if (text.empty() || text == "null") return dsl::Value::Null();
  if (text == "true") return dsl::Value::Bool(true);
  if (text == "false") return dsl::Value::Bool(false);
  if (text.front() == '"') {
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    return j.is_string() ? dsl::Value::String(j.get<std::string>()) : dsl::Value::Null();
  }
  int64_t i = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (ec == std::errc() && p == text.data() + text.size()) return dsl::Value::Int(i);
  double d = 0;
  auto [p2, ec2] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec2 == std::errc() && p2 == text.data() + text.size()) return dsl::Value::Double(d);
  return dsl::Value::String(std::string(text));
}

namespace {

// The stored form (Ticket::Encode): a marker byte, a format version, the number of fields
// that follow, then the fields in the fixed order of kFieldNames: text as a varint length
// and its bytes, counts as varints, times and signed numbers zigzag-varint, lists as a
// count and their items, facts as name, kind and value. A reader takes the fields it knows
// and gives the rest their defaults, so a field is only ever added at the end.
// 0xC7 never starts the MessagePack map of earlier versions (ticket_legacy.h).
constexpr uint8_t kMarker = 0xC7;
constexpr uint8_t kFormat = 1;
enum FactKind : uint8_t { kNullFact, kFalse, kTrue, kIntFact, kDoubleFact, kStringFact };
constexpr const char* kFieldNames[] = {"id",
                                       "workflow",
                                       "workflow_version",
                                       "loop",
                                       "state",
                                       "title",
                                       "what",
                                       "where",
                                       "subject",
                                       "jurisdiction",
                                       "category",
                                       "severity",
                                       "lead",
                                       "assist",
                                       "routing_table",
                                       "routing_version",
                                       "parent_id",
                                       "chain_id",
                                       "children",
                                       "trigger",
                                       "dedup_key",
                                       "version",
                                       "opened_at",
                                       "state_entered_at",
                                       "deadline_at",
                                       "limit_from",
                                       "clock_left",
                                       "next_due",
                                       "closed",
                                       "closed_at",
                                       "outcome",
                                       "resolution",
                                       "returns",
                                       "reopens",
                                       "extensions",
                                       "overdue_count",
                                       "overdue",
                                       "escalated_to",
                                       "pending_extension_days",
                                       "last_returned_by",
                                       "facts",
                                       "fired",
                                       "fired_once",
                                       "chained_by",
                                       "history_length",
                                       "case_length",
                                       "assignee"};
constexpr size_t kFields = std::size(kFieldNames);

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Signed(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void Text(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  template <typename Container>
  void Texts(const Container& items) {
    Varint(items.size());
    for (const auto& s : items) Text(s);
  }
  void Double(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>(bits >> (8 * i)));
  }
  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }

 private:
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return false;
      const auto b = static_cast<uint8_t>(in_[pos_++]);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  template <typename T>
  bool Unsigned(T* v) {
    uint64_t u;
    if (!Varint(&u) || u > std::numeric_limits<T>::max()) return false;
    *v = static_cast<T>(u);
    return true;
  }
  template <typename T>
  bool Signed(T* v) {
    uint64_t u;
    if (!Varint(&u)) return false;
    const auto s = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    if (s < std::numeric_limits<T>::min() || s > std::numeric_limits<T>::max()) return false;
    *v = static_cast<T>(s);
    return true;
  }
  bool Bool(bool* v) {
    uint8_t b;
    if (!Byte(&b) || b > 1) return false;
    *v = b == 1;
    return true;
  }
  bool Text(std::string* s) {
    uint64_t n;
    if (!Varint(&n) || n > in_.size() - pos_) return false;
    s->assign(in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  template <typename Container>
  bool Texts(Container* out) {
    uint64_t n;
    if (!Varint(&n) || n > in_.size() - pos_) return false;  // each item takes a byte at least
    for (uint64_t i = 0; i < n; ++i) {
      std::string s;
      if (!Text(&s)) return false;
      out->insert(out->end(), std::move(s));
    }
    return true;
  }
  bool Double(double* d) {
    if (in_.size() - pos_ < 8) return false;
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i)
      bits |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    std::memcpy(d, &bits, sizeof bits);
    return true;
  }
  bool Byte(uint8_t* b) {
    if (pos_ >= in_.size()) return false;
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

bool ReadFacts(Reader& r, std::map<std::string, dsl::Value>* facts) {
  uint64_t n;
  if (!r.Varint(&n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string name;
    uint8_t kind;
    if (!r.Text(&name) || !r.Byte(&kind)) return false;
    dsl::Value v;
    switch (kind) {
      case kNullFact:
        break;
      case kFalse:
      case kTrue:
        v = dsl::Value::Bool(kind == kTrue);
        break;
      case kIntFact: {
        int64_t x;
        if (!r.Signed(&x)) return false;
        v = dsl::Value::Int(x);
        break;
      }
      case kDoubleFact: {
        double d;
        if (!r.Double(&d)) return false;
        v = dsl::Value::Double(d);
        break;
      }
      case kStringFact: {
        std::string text;
        if (!r.Text(&text)) return false;
        v = dsl::Value::String(std::move(text));
        break;
      }
      default:
        return false;
    }
    facts->emplace_hint(facts->end(), std::move(name), std::move(v));
  }
  return facts->size() == n;  // names are unique
}

}  // namespace

std::string Ticket::Encode() const {
  std::string out;
  out.reserve(256 + title.size() + what.size() + where.size() + 24 * facts.size());
  Writer w(out);
  w.Byte(kMarker);
  w.Byte(kFormat);
  w.Varint(kFields);
  w.Text(id);
  w.Text(workflow);
  w.Varint(workflow_version);
  w.Text(loop);
  w.Text(state);
  w.Text(title);
  w.Text(what);
  w.Text(where);
  w.Text(subject);
  w.Text(jurisdiction);
  w.Text(category);
  w.Text(severity);
  w.Text(lead);
  w.Texts(assist);
  w.Text(routing_table);
  w.Varint(routing_version);
  w.Text(parent_id);
  w.Text(chain_id);
  w.Texts(children);
  w.Text(trigger);
  w.Text(dedup_key);
  w.Varint(version);
  w.Signed(opened_at);
  w.Signed(state_entered_at);
  w.Signed(deadline_at);
  w.Signed(limit_from);
  w.Signed(clock_left);
  w.Signed(next_due);
  w.Byte(closed ? 1 : 0);
  w.Signed(closed_at);
  w.Text(outcome);
  w.Text(resolution);
  w.Varint(returns);
  w.Varint(reopens);
  w.Varint(extensions);
  w.Varint(overdue_count);
  w.Byte(overdue ? 1 : 0);
  w.Text(escalated_to);
  w.Signed(pending_extension_days);
  w.Text(last_returned_by);
  w.Varint(facts.size());
  for (const auto& [name, v] : facts) {  // a std::map: in name order
    w.Text(name);
    switch (v.type()) {
      case dsl::ValueType::kNull:
        w.Byte(kNullFact);
        break;
      case dsl::ValueType::kBool:
        w.Byte(v.as_bool() ? kTrue : kFalse);
        break;
      case dsl::ValueType::kInt:
        w.Byte(kIntFact);
        w.Signed(v.as_int());
        break;
      case dsl::ValueType::kDouble:
        w.Byte(kDoubleFact);
        w.Double(v.as_double());
        break;
      case dsl::ValueType::kString:
        w.Byte(kStringFact);
        w.Text(v.as_string());
        break;
      case dsl::ValueType::kDuration:  // kept as its text, as the literal form always did
        w.Byte(kStringFact);
        w.Text(v.ToString());
        break;
    }
  }
  w.Texts(fired);
  w.Texts(fired_once);
  w.Texts(chained_by);
  w.Varint(history_length);
  w.Varint(case_length);
  w.Text(assignee);
  return out;
}

Result<Ticket> Ticket::Decode(std::string_view bytes) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != kMarker) {
    return DecodeMessagePack(bytes);  // written by a version before this form
  }
  Reader r(bytes.substr(1));
  uint8_t format = 0;
  uint64_t fields = 0;
  if (!r.Byte(&format) || format != kFormat) {
    return Corruption("ticket state: unknown format " + std::to_string(format));
  }
  if (!r.Varint(&fields) || fields > kFields) {
    return Corruption("ticket state: written by a newer version (" + std::to_string(fields) +
                      " fields)");
  }
  Ticket t;
  // Fields this version knows, in order; those a shorter (older) form lacks keep defaults.
  auto read = [&](size_t i) -> bool {
    switch (i) {
      case 0:
        return r.Text(&t.id);
      case 1:
        return r.Text(&t.workflow);
      case 2:
        return r.Unsigned(&t.workflow_version);
      case 3:
        return r.Text(&t.loop);
      case 4:
        return r.Text(&t.state);
      case 5:
        return r.Text(&t.title);
      case 6:
        return r.Text(&t.what);
      case 7:
        return r.Text(&t.where);
      case 8:
        return r.Text(&t.subject);
      case 9:
        return r.Text(&t.jurisdiction);
      case 10:
        return r.Text(&t.category);
      case 11:
        return r.Text(&t.severity);
      case 12:
        return r.Text(&t.lead);
      case 13:
        return r.Texts(&t.assist);
      case 14:
        return r.Text(&t.routing_table);
      case 15:
        return r.Unsigned(&t.routing_version);
      case 16:
        return r.Text(&t.parent_id);
      case 17:
        return r.Text(&t.chain_id);
      case 18:
        return r.Texts(&t.children);
      case 19:
        return r.Text(&t.trigger);
      case 20:
        return r.Text(&t.dedup_key);
      case 21:
        return r.Unsigned(&t.version);
      case 22:
        return r.Signed(&t.opened_at);
      case 23:
        return r.Signed(&t.state_entered_at);
      case 24:
        return r.Signed(&t.deadline_at);
      case 25:
        return r.Signed(&t.limit_from);
      case 26:
        return r.Signed(&t.clock_left);
      case 27:
        return r.Signed(&t.next_due);
      case 28:
        return r.Bool(&t.closed);
      case 29:
        return r.Signed(&t.closed_at);
      case 30:
        return r.Text(&t.outcome);
      case 31:
        return r.Text(&t.resolution);
      case 32:
        return r.Unsigned(&t.returns);
      case 33:
        return r.Unsigned(&t.reopens);
      case 34:
        return r.Unsigned(&t.extensions);
      case 35:
        return r.Unsigned(&t.overdue_count);
      case 36:
        return r.Bool(&t.overdue);
      case 37:
        return r.Text(&t.escalated_to);
      case 38:
        return r.Signed(&t.pending_extension_days);
      case 39:
        return r.Text(&t.last_returned_by);
      case 40:
        return ReadFacts(r, &t.facts);
      case 41:
        return r.Texts(&t.fired);
      case 42:
        return r.Texts(&t.fired_once);
      case 43:
        return r.Texts(&t.chained_by);
      case 44:
        return r.Unsigned(&t.history_length);
      case 45:
        return r.Unsigned(&t.case_length);
      case 46:
        return r.Text(&t.assignee);
    }
    return false;
  };
  for (size_t i = 0; i < fields; ++i) {
    if (!read(i)) {
      return Corruption(std::string("ticket state: field ") + kFieldNames[i] +
                        " is damaged or cut short");
    }
  }
  if (!r.done()) return Corruption("ticket state: bytes left over after the last field");
  return t;
}

size_t Ticket::ApproxBytes() const {
  size_t n = sizeof(Ticket);
  for (const std::string* s : {&id,
                               &workflow,
                               &loop,
                               &state,
                               &title,
                               &what,
                               &where,
                               &subject,
                               &jurisdiction,
                               &category,
                               &severity,
                               &lead,
                               &routing_table,
                               &parent_id,
                               &chain_id,
                               &trigger,
                               &dedup_key,
                               &outcome,
                               &resolution,
                               &escalated_to,
                               &last_returned_by,
                               &assignee}) {
    if (s->capacity() > 15) n += s->capacity() + 1;  // beyond the small-string buffer
  }
  for (const auto& v : {&assist, &children}) {
    n += v->capacity() * sizeof(std::string);
    for (const auto& s : *v) n += s.capacity() > 15 ? s.capacity() + 1 : 0;
  }
  constexpr size_t kNode = 48;  // a red-black tree node's own bookkeeping, about
  for (const auto& set : {&fired, &fired_once, &chained_by}) {
    for (const auto& s : *set)
      n += kNode + sizeof(std::string) + (s.capacity() > 15 ? s.capacity() + 1 : 0);
  }
  for (const auto& [k, v] : facts) {
    n += kNode + sizeof(std::string) + sizeof(dsl::Value) +
         (k.capacity() > 15 ? k.capacity() + 1 : 0);
    if (v.type() == dsl::ValueType::kString && v.as_string().capacity() > 15)
      n += v.as_string().capacity() + 1;
  }
  return n;
}

std::string Ticket::ToJson() const {
  json facts_json = json::object();
  for (const auto& [k, v] : facts) {
    switch (v.type()) {
      case dsl::ValueType::kBool:
        facts_json[k] = v.as_bool();
        break;
      case dsl::ValueType::kInt:
        facts_json[k] = v.as_int();
        break;
      case dsl::ValueType::kDouble:
        facts_json[k] = v.as_double();
        break;
      case dsl::ValueType::kString:
        facts_json[k] = v.as_string();
        break;
      case dsl::ValueType::kNull:
        facts_json[k] = nullptr;
        break;
      case dsl::ValueType::kDuration:
        facts_json[k] = v.ToString();
        break;
    }
  }
  json j = {{"id", id},
            {"workflow", workflow},
            {"workflow_version", workflow_version},
            {"loop", loop},
            {"state", state},
            {"title", title},
            {"what", what},
            {"where", where},
            {"subject", subject},
            {"jurisdiction", jurisdiction},
            {"category", category},
            {"severity", severity},
            {"lead", lead},
            {"assist", assist},
            {"assignee", assignee},
            {"parent_id", parent_id},
            {"chain_id", chain_id},
            {"children", children},
            {"trigger", trigger},
            {"version", version},
            {"opened_at", opened_at},
            {"state_entered_at", state_entered_at},
            {"deadline_at", deadline_at},
            {"next_due", next_due},
            {"closed", closed},
            {"closed_at", closed_at},
            {"outcome", outcome},
            {"resolution", resolution},
            {"returns", returns},
            {"reopens", reopens},
            {"extensions", extensions},
            {"overdue_count", overdue_count},
            {"overdue", overdue},
            {"escalated_to", escalated_to},
            {"pending_extension_days", pending_extension_days},
            {"facts", facts_json},
            {"history_length", history_length},
            {"case_length", case_length}};
  return j.dump();
}

dsl::Value Ticket::Fact(std::string_view name) const {
  using V = dsl::Value;
  if (name == "category") return V::String(category);
  if (name == "severity") return V::String(severity);
  if (name == "jurisdiction") return V::String(jurisdiction);
  if (name == "subject") return V::String(subject);
  if (name == "returns") return V::Int(returns);
  if (name == "reopens") return V::Int(reopens);
  if (name == "extensions") return V::Int(extensions);
  if (name == "overdue_count") return V::Int(overdue_count);
  if (name == "state") return V::String(state);
  if (name == "lead") return V::String(lead);
  if (name == "version") return V::Int(version);
  if (name == "id") return V::String(id);
  if (name == "parent_id") return V::String(parent_id);
  if (name == "opened_at") return V::Int(opened_at);
  if (name == "assists") return V::Int(static_cast<int64_t>(assist.size()));
  auto it = facts.find(std::string(name));
  return it == facts.end() ? V::Null() : it->second;
}

}  // namespace closeloop::engine
