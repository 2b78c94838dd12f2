#include "pgsift/findings_json.h"

#include "pgsift/fingerprint.h"

namespace pgsift {

nlohmann::ordered_json FindingToJson(const Finding& f) {
  using Json = nlohmann::ordered_json;
  Json j = {{"rule", f.rule_id}, {"severity", std::string(SeverityName(f.severity))}, {"message", f.message}};
  if (!f.help.empty()) j["help"] = f.help;
  if (!f.fix.empty()) j["fix"] = f.fix;
  if (!f.location.file.empty()) {
    Json loc = {{"file", f.location.file}};
    if (f.location.line) loc["line"] = f.location.line;
    if (f.location.column) loc["column"] = f.location.column;
    if (f.location.end_line) loc["end_line"] = f.location.end_line;
    if (f.location.end_column) loc["end_column"] = f.location.end_column;
    j["location"] = std::move(loc);
  }
  if (!f.snippet.empty()) j["snippet"] = f.snippet;
  if (f.fingerprint) j["fingerprint"] = FingerprintHex(f.fingerprint);
  if (!f.facts.empty()) {
    Json facts = Json::object();
    for (const auto& [k, v] : f.facts) facts[k] = v;
    j["facts"] = std::move(facts);
  }
  j["key"] = f.Key();
  return j;
}

nlohmann::ordered_json FindingsToJson(const std::vector<Finding>& findings) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Finding& f : findings) out.push_back(FindingToJson(f));
  return out;
}

}  // namespace pgsift
