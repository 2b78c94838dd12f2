// Snapshot files (pgsift.snapshot.v1 JSON), and the delta of a snapshot with
// itself as `pgsift report` computes it.
// fuzz-seeds: fixtures/pgss/*.json.gz gunzip-chunk
#include "fuzz_util.h"
#include "pgsift/pgss.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto snapshot = pgsift::SnapshotFromJson(pgsift::fuzz::View(data, size), "fuzz");
  if (!snapshot.ok()) return 0;
  (void)pgsift::SnapshotToJson(*snapshot);
  (void)pgsift::ComputeDelta(*snapshot, *snapshot);
  return 0;
}
