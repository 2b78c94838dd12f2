// Reader throughput per log format, and the whole pipeline (records -> events
// -> fingerprints -> workload), over the clinic fixture logs repeated to about
// 32 MB in memory. MB/s comes from SetBytesProcessed; the copy of the input
// into each iteration's MemorySource is not timed.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "pgsift/assembler.h"
#include "pgsift/input.h"
#include "pgsift/prefix.h"
#include "pgsift/readers.h"
#include "pgsift/workload.h"

namespace {

constexpr size_t kTargetBytes = size_t{32} << 20;

std::string ReadFixture(const std::string& name) {
  std::string path = std::string(PGSIFT_FIXTURES) + "/logs/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "reader_bench: cannot read " << path << "\n";
    std::abort();
  }
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Whole copies of the fixture (each ends with '\n'), so records never split.
std::string Repeated(const std::string& name) {
  std::string one = ReadFixture(name);
  if (!one.empty() && one.back() != '\n') one += '\n';
  std::string all;
  all.reserve(kTargetBytes + one.size());
  while (all.size() < kTargetBytes) all += one;
  return all;
}

const std::string& Input(pgsift::LogFormat format) {
  static const std::string stderr_log = Repeated("clinic.stderr.log");
  static const std::string csv = Repeated("clinic.csv");
  static const std::string json = Repeated("clinic.json");
  switch (format) {
    case pgsift::LogFormat::kCsv: return csv;
    case pgsift::LogFormat::kJson: return json;
    default: return stderr_log;
  }
}

const pgsift::LinePrefix& ClinicPrefix() {
  static const pgsift::LinePrefix prefix = [] {
    auto p = pgsift::LinePrefix::Compile(ReadFixture("clinic.prefix"));
    if (!p.ok()) {
      std::cerr << "reader_bench: clinic.prefix: " << p.error() << "\n";
      std::abort();
    }
    return std::move(p.value());
  }();
  return prefix;
}

class CountingSink : public pgsift::RecordSink {
 public:
  void OnRecord(const pgsift::LogRecord& record) override {
    ++records;
    bytes += record.message.size();
  }
  void OnSkip(uint64_t, uint32_t lines, pgsift::SkipReason, std::string_view) override { skipped += lines; }
  uint64_t records = 0, skipped = 0, bytes = 0;
};

void Read(pgsift::LogFormat format, pgsift::LineReader* lines, pgsift::RecordSink* sink) {
  switch (format) {
    case pgsift::LogFormat::kCsv: pgsift::ReadCsvLog(lines, sink); break;
    case pgsift::LogFormat::kJson: pgsift::ReadJsonLog(lines, sink); break;
    default: pgsift::ReadStderr(lines, ClinicPrefix(), sink); break;
  }
}

void BM_Reader(benchmark::State& state, pgsift::LogFormat format) {
  const std::string& input = Input(format);
  uint64_t records = 0, skipped = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<pgsift::ByteSource> source = pgsift::MemorySource(input);
    state.ResumeTiming();
    pgsift::LineReader lines(source.get());
    CountingSink sink;
    Read(format, &lines, &sink);
    benchmark::DoNotOptimize(sink.bytes);
    records = sink.records;
    skipped = sink.skipped;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.counters["records"] = static_cast<double>(records);
  state.counters["skipped_lines"] = static_cast<double>(skipped);
  state.counters["MB"] = static_cast<double>(input.size()) / 1e6;
}

// Records -> Assembler (events) -> WorkloadBuilder (fingerprints, stats), a
// fresh Workload each iteration, as one `pgsift analyze` of one file.
void BM_EndToEnd(benchmark::State& state, pgsift::LogFormat format) {
  const std::string& input = Input(format);
  uint64_t calls = 0, fingerprints = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<pgsift::ByteSource> source = pgsift::MemorySource(input);
    auto workload = std::make_unique<pgsift::Workload>();
    state.ResumeTiming();
    {
      pgsift::WorkloadBuilder builder(workload.get(), pgsift::Filters{});
      pgsift::Assembler assembler(&builder);
      pgsift::LineReader lines(source.get());
      Read(format, &lines, &assembler);
      assembler.Flush();
    }
    calls = workload->summary.calls;
    fingerprints = workload->queries.size() + workload->fallback_queries.size();
    benchmark::DoNotOptimize(calls);
    state.PauseTiming();
    workload.reset();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.counters["calls"] = static_cast<double>(calls);
  state.counters["fingerprints"] = static_cast<double>(fingerprints);
  state.counters["MB"] = static_cast<double>(input.size()) / 1e6;
}

// Each iteration reads ~32 MB; a few iterations x 3 repetitions keep the
// whole binary well under a minute and still give a median.
template <class B>
void Short(B* b) {
  b->Unit(benchmark::kMillisecond)->Iterations(5)->Repetitions(5)->UseRealTime();
}

const bool registered = [] {
  using pgsift::LogFormat;
  for (auto [name, format] : {std::pair{"stderr", LogFormat::kStderr}, std::pair{"csvlog", LogFormat::kCsv},
                              std::pair{"jsonlog", LogFormat::kJson}}) {
    Short(benchmark::RegisterBenchmark((std::string("BM_Reader/") + name).c_str(), BM_Reader, format));
  }
  for (auto [name, format] : {std::pair{"stderr", LogFormat::kStderr}, std::pair{"csvlog", LogFormat::kCsv},
                              std::pair{"jsonlog", LogFormat::kJson}}) {
    Short(benchmark::RegisterBenchmark((std::string("BM_EndToEnd/") + name).c_str(), BM_EndToEnd, format));
  }
  return true;
}();

}  // namespace
