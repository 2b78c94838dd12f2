// Findings as JSON objects, shared by every JSON output (analyze, lint,
// check, report) so that a finding looks the same everywhere.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "pgsift/finding.h"

namespace pgsift {

// [{rule, severity, message, help, fix, location{file,line,column}, snippet,
//   fingerprint, facts{...}, key}, ...]; empty fields are left out.
nlohmann::ordered_json FindingsToJson(const std::vector<Finding>& findings);
// One element of FindingsToJson.
nlohmann::ordered_json FindingToJson(const Finding& f);

}  // namespace pgsift
