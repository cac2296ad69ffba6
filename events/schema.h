// The record schema at run time: the binary schema (.bfbs) that flatc compiled from
// events/*.fbs, embedded in the library. Used for JSON conversion and by the DSL checker to
// know every event type and field.
#pragma once

#include <flatbuffers/reflection.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace closeloop::events {

// The embedded record.bfbs bytes. Lives for the whole program.
std::span<const uint8_t> SchemaBytes();

// The reflection view of the schema (verified once). Lives for the whole program.
const reflection::Schema& ReflectionSchema();

// One field of a record body, as the DSL sees it.
struct FieldInfo {
  std::string name;
  reflection::BaseType type;  // for vectors, `element` holds the element type
  reflection::BaseType element;
  std::string enum_name;   // set for enum-typed scalars ("closeloop.fb.Severity")
  std::string table_name;  // set for tables and structs ("closeloop.fb.GeoPoint")
  bool required = false;
};

// The fields of a body table, by its short name ("SensorAlarm"); empty when unknown.
std::vector<FieldInfo> BodyFields(std::string_view body_name);

// The names of an enum's values, by the enum's short name ("Severity").
std::vector<std::string> EnumValueNames(std::string_view enum_name);

}  // namespace closeloop::events
