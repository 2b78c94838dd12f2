// open_input: compression recognised from the data and decoded by
// libarchive (gzip, bzip2, xz, zstd, lz4), damaged streams included.
// fuzz-seeds: fixtures/pgbadger/*.gz whole
// fuzz-seeds: fixtures/pgbadger/*.bz2 whole
// fuzz-seeds: fixtures/hostile/truncated.* whole
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("pgsift-fuzz", 0);
  if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) return 0;
  auto source = pgsift::OpenInput("/proc/self/fd/" + std::to_string(fd));
  if (!source.ok()) return 0;
  pgsift::LineReader lines(source->get());
  std::string_view line;
  uint64_t n = 0;
  while (lines.Next(&line) && n < 1000000) ++n;
  return 0;
}
