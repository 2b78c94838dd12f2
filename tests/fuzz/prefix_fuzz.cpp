// The log_line_prefix parser and matcher: "<prefix>\n<line>".
// fuzz-seeds: fixtures/logs/clinic.stderr.log prefix-line
// fuzz-seeds: fixtures/pgbadger/*.log prefix-line
#include "fuzz_util.h"
#include "pgsift/log_record.h"
#include "pgsift/prefix.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = pgsift::fuzz::View(data, size);
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return 0;
  auto prefix = pgsift::LinePrefix::Compile(text.substr(0, nl));
  if (!prefix.ok()) return 0;
  pgsift::LogRecord record;
  std::string_view line = text.substr(nl + 1);
  bool matched = prefix->Match(line, &record);
  std::string why = prefix->Explain(line);
  if (matched != (why == "matches")) __builtin_trap();
  return 0;
}
