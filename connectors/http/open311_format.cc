#include "connectors/http/open311_format.h"

#include <pugixml.hpp>
#include <sstream>

namespace closeloop::http::open311 {
namespace {

using nlohmann::json;

// "attributes" -> "attribute", "values" -> "value", "formats" -> "format".
std::string Singular(const std::string& plural) {
  if (plural.size() > 1 && plural.back() == 's') return plural.substr(0, plural.size() - 1);
  return plural + "_item";
}

// XML 1.0 has no place for most control characters: they become U+FFFD.
std::string XmlSafe(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char ch : s) {
    if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
      out += "\xEF\xBF\xBD";
    else
      out += static_cast<char>(ch);
  }
  return out;
}

std::string Scalar(const json& v) {
  if (v.is_string()) return XmlSafe(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();  // numbers
}

// Appends `v` under `parent` as element `name`; arrays become a wrapper of singular items.
// Nesting is bounded by what the handlers build (at most four levels), not by input.
void Append(pugi::xml_node parent, const std::string& name, const json& v) {
  if (v.is_null()) return;
  pugi::xml_node node = parent.append_child(name.c_str());
  if (v.is_object()) {
    for (const auto& [k, child] : v.items()) Append(node, k, child);
  } else if (v.is_array()) {
    const std::string item = Singular(name);
    for (const auto& child : v) Append(node, item, child);
  } else {
    node.text().set(Scalar(v).c_str());
  }
}

}  // namespace

std::optional<Format> ParseFormat(std::string_view ext) {
  if (ext == "json") return Format::kJson;
  if (ext == "xml") return Format::kXml;
  return std::nullopt;
}

std::string ToXml(const json& body, std::string_view root, std::string_view item) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node top = doc.append_child(std::string(root).c_str());
  if (body.is_array()) {
    for (const auto& entry : body) Append(top, std::string(item), entry);
  } else if (body.is_object()) {
    for (const auto& [k, child] : body.items()) Append(top, k, child);
  }
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

void Reply(httplib::Response& res, Format format, int status, const json& body,
           std::string_view root, std::string_view item) {
  res.status = status;
  if (format == Format::kXml) {
    res.set_content(ToXml(body, root, item), "text/xml; charset=utf-8");
  } else {
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n",
                    "application/json; charset=utf-8");
  }
}

void ReplyError(httplib::Response& res, Format format, int status, const std::string& description) {
  Reply(res, format, status, json::array({{{"code", status}, {"description", description}}}),
        "errors", "error");
}

}  // namespace closeloop::http::open311
