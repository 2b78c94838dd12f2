// Shared by the libFuzzer targets (one small file each in tests/fuzz/).
// A target's seeds are named in its own file by `// fuzz-seeds:` lines that
// tests/fuzz/make_seeds.py reads: a glob under the repository and how to cut
// each file (whole, chunk = 8 KiB pieces at line ends, jsonl-query,
// gunzip-chunk, plan-json, plan-text, prefix-line). Adding a target is one .cpp here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pgsift/assembler.h"
#include "pgsift/fingerprint.h"
#include "pgsift/input.h"
#include "pgsift/workload.h"

namespace pgsift::fuzz {

inline std::string_view View(const uint8_t* data, size_t size) { return {reinterpret_cast<const char*>(data), size}; }

// One fingerprint cache for the whole run, as in a real analyze: later inputs
// hit shapes earlier ones made. Capped so a long run stays bounded.
inline Fingerprinter& SharedFingerprinter() {
  static Fingerprinter fingerprinter(Fingerprinter::KeyMode::kShape, 20000);
  return fingerprinter;
}

// Reads `data` with `read` (a reader taking a LineReader and a RecordSink)
// through the assembler into a workload, as `pgsift analyze` does, and checks
// that every line is accounted for.
template <typename ReadFn>
void ReadThroughPipeline(std::string_view data, ReadFn read) {
  Workload workload;
  WorkloadBuilder builder(&workload, Filters{}, &SharedFingerprinter());
  Assembler assembler(&builder);
  LineReader lines(data, 0);
  read(&lines, &assembler);
  assembler.Flush();
  const RecordCounts& c = assembler.counts();
  if (c.lines_in_records + c.skipped_total() != lines.line_number()) __builtin_trap();
}

}  // namespace pgsift::fuzz
