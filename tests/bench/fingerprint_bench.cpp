// Fingerprint cache: hit (same shape, new literals each time) and miss
// (every statement a new shape: libpg_query parse + normalize + check).
#include <benchmark/benchmark.h>

#include <string>

#include "pgsift/fingerprint.h"

namespace {

std::string Query(int64_t i) {
  return "SELECT p.id, p.name, a.starts_at FROM patients p JOIN appointments a ON a.patient_id = p.id "
         "WHERE p.clinic_id = " + std::to_string(i % 977) + " AND a.starts_at > '2026-11-" +
         std::to_string(i % 28 + 1) + "' AND p.name LIKE 'pat" + std::to_string(i) + "%' ORDER BY a.starts_at LIMIT 50";
}

void BM_FingerprintCacheHit(benchmark::State& state) {
  pgsift::Fingerprinter fp;
  std::vector<std::string> queries;
  for (int i = 0; i < 4096; ++i) queries.push_back(Query(i));
  fp.Fingerprint(queries[0]);
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& q = queries[i++ & 4095];
    benchmark::DoNotOptimize(fp.Fingerprint(q).fingerprint);
    bytes += q.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_FingerprintCacheHit);

void BM_FingerprintCacheMiss(benchmark::State& state) {
  pgsift::Fingerprinter fp;
  int64_t i = 0;
  for (auto _ : state) {
    std::string q = "SELECT c" + std::to_string(i++) + " FROM patients WHERE id = 5";
    benchmark::DoNotOptimize(fp.Fingerprint(q).fingerprint);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_FingerprintCacheMiss);

void BM_LibpgQueryFingerprintOnly(benchmark::State& state) {
  int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(pgsift::FingerprintWithLibpgQuery(Query(i++)).fingerprint);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_LibpgQueryFingerprintOnly);

}  // namespace
