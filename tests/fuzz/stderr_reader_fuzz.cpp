// stderr logs: prefix inference on the first lines, then the reader.
// fuzz-seeds: fixtures/logs/clinic.stderr.log chunk
// fuzz-seeds: fixtures/pgbadger/*.log chunk
// fuzz-seeds: fixtures/hostile/*.log chunk
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "pgsift/prefix.h"
#include "pgsift/readers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = pgsift::fuzz::View(data, size);
  std::vector<std::string> sample;
  for (size_t pos = 0; pos < text.size() && sample.size() < 50;) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    sample.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  auto inferred = pgsift::InferPrefix(sample);
  auto prefix = pgsift::LinePrefix::Compile(inferred.ok() ? inferred->prefix : std::string("%m [%p] "));
  if (!prefix.ok()) return 0;
  pgsift::fuzz::ReadThroughPipeline(
      text, [&](pgsift::LineReader* lines, pgsift::RecordSink* sink) { pgsift::ReadStderr(lines, *prefix, sink); });
  return 0;
}
