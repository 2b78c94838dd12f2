// Internal to analyzer/report/: the lock trace part of `pgsift check`'s
// outputs (check_trace.h), rendered by check_report.cpp.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "pgsift/check.h"

namespace pgsift::check_trace_report {

std::string Text(const CheckReport& report);
// Short when nothing blocks and the lint was right: one line.
std::string Markdown(const CheckReport& report);
nlohmann::ordered_json Json(const CheckReport& report);

}  // namespace pgsift::check_trace_report
