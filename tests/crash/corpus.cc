#include "tests/crash/corpus.h"

#include <fstream>

#include "events/ids.h"

namespace closeloop::crash {
namespace {

constexpr int64_t kCorpusTimeMs = 1767225600000;  // 2026-01-01T00:00:00Z
// Marks a corpus id's tail, so an id from anywhere else is not mistaken for one.
constexpr uint64_t kTailTag = 0xC1A5;

constexpr const char* kCategories[] = {"gas", "fire", "hazardous_chemicals", "electrical"};
constexpr const char* kStreets[] = {"梅园新村街道", "新街口街道", "玄武门街道", "锁金村街道"};

}  // namespace

std::string CorpusId(uint32_t file, uint32_t seq) {
  events::Id id;
  id.hi = (static_cast<uint64_t>(kCorpusTimeMs) << 16) | kTailTag;
  id.lo = (static_cast<uint64_t>(file) << 32) | seq;
  return id.ToString();
}

bool ParseCorpusId(std::string_view text, uint32_t* file, uint32_t* seq) {
  auto id = events::Id::Parse(text);
  if (!id.ok() || id->time_ms() != kCorpusTimeMs || (id->hi & 0xFFFF) != kTailTag) return false;
  *file = static_cast<uint32_t>(id->lo >> 32);
  *seq = static_cast<uint32_t>(id->lo & 0xFFFFFFFFu);
  return true;
}

std::string CorpusSubject(uint32_t file, uint32_t seq) {
  return "ENT-3201" + std::to_string(100 + (file * 7919u + seq * 31u) % 211u);
}

std::string CorpusJson(uint32_t file, uint32_t seq) {
  const std::string f = std::to_string(file), s = std::to_string(seq);
  std::string j = R"({"id": ")" + CorpusId(file, seq) + R"(", "subject": ")" +
                  CorpusSubject(file, seq) + R"(", "jurisdiction": "xuanwu.meiyuan.g0)" +
                  std::to_string(seq % 9 + 1) + R"(", "occurred_at": )" +
                  std::to_string(kCorpusTimeMs + int64_t{seq} * 1000) + ", ";
  const std::string attrs = R"("attrs": [{"key": "file", "value": ")" + f +
                            R"("}, {"key": "seq", "value": ")" + s + R"("}]})";
  if (seq % 2 == 0) {
    j += R"("source": "iot-gateway-07", "body_type": "SensorAlarm", "body": {"sensor_id": "GAS-)" +
         s + R"(", "risk_source_id": "MHS-320102-0)" + std::to_string(seq % 40) +
         R"(", "measure": "combustible_gas", "state": "alarm", "level": "alarm", )"
         R"("value": 27.5, "threshold": 20, "unit": "%LEL", )" +
         attrs;
  } else {
    j += R"("source": "hotline-12345", "body_type": "HazardReport", "body": {"channel": )"
         R"("hotline_12345", "category": ")" +
         std::string(kCategories[seq % 4]) +
         R"(", "description": "群众反映：餐饮店后厨液化气钢瓶靠近灶台存放，软管老化，疑似漏气", )"
         R"("severity": "general", "address": "南京市玄武区)" +
         kStreets[seq % 4] + R"(", "external_ref": "GD2026)" + s + "\", " + attrs;
  }
  return j + "}";
}

Status WriteCorpusFile(const std::string& path, uint32_t file, uint32_t begin, uint32_t end) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return IOError("cannot write " + path);
  for (uint32_t seq = begin; seq < end; ++seq) out << CorpusJson(file, seq) << '\n';
  out.close();
  if (!out) return IOError("writing " + path + " failed");
  return Status::Ok();
}

}  // namespace closeloop::crash
