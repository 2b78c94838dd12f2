// The output of `pgsift indexes` (indexes_report.cpp).
#pragma once

#include <string>

#include "pgsift/indexes.h"

namespace pgsift {

// JSON, schema pgsift.indexes.v1; `min_saving`: the saving the run asked of
// a proven index (plan_counter_evidence is judged against it).
std::string IndexesJson(const IndexRunResult& run, double min_saving);

// The findings, the candidates ranked by time x saving, and a summary line.
std::string IndexesText(const IndexRunResult& run);

}  // namespace pgsift
