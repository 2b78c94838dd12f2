// jsonlog: the reader through the pipeline, and on every line the fast path
// (JsonLogScanner) against the DOM path: a line the scanner accepts must be
// valid JSON that the DOM reads to the same fields.
// fuzz-seeds: fixtures/logs/clinic.json chunk
// fuzz-seeds: fixtures/hostile/*.json chunk
#include "fuzz_util.h"
#include "input/jsonlog_scan.h"
#include "pgsift/readers.h"

namespace {

void CompareBothPaths(std::string_view data) {
  static pgsift::input_internal::JsonLogScanner scanner;
  static pgsift::input_internal::JsonLogDom dom;
  pgsift::LineReader lines(data, 0);
  std::string_view line;
  std::string error;
  pgsift::input_internal::JsonLogFields fast;
  pgsift::input_internal::JsonLogFields slow;
  while (lines.Next(&line)) {
    if (!scanner.Scan(line, &fast)) continue;
    if (dom.Parse(line, &slow, &error) != pgsift::input_internal::JsonLogDom::Status::kOk) __builtin_trap();
    if (fast.has_port != slow.has_port || fast.values != slow.values) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pgsift::fuzz::ReadThroughPipeline(pgsift::fuzz::View(data, size), pgsift::ReadJsonLog);
  CompareBothPaths(pgsift::fuzz::View(data, size));
  return 0;
}
