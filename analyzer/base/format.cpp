#include "pgsift/format.h"

#include <cstdio>

namespace pgsift {

std::string FormatMs(double ms) {
  char buf[64];
  if (ms < 1)
    snprintf(buf, sizeof buf, "%.3f ms", ms);
  else if (ms < 1000)
    snprintf(buf, sizeof buf, "%.1f ms", ms);
  else if (ms < 60'000)
    snprintf(buf, sizeof buf, "%.2f s", ms / 1000);
  else if (ms < 3'600'000)
    snprintf(buf, sizeof buf, "%.1f min", ms / 60'000);
  else
    snprintf(buf, sizeof buf, "%.1f h", ms / 3'600'000);
  return buf;
}

std::string FormatBytes(int64_t bytes) {
  char buf[32];
  double b = static_cast<double>(bytes);
  if (bytes < 1024)
    snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  else if (b < 1024.0 * 1024)
    snprintf(buf, sizeof buf, "%.0f kB", b / 1024);
  else if (b < 1024.0 * 1024 * 1024)
    snprintf(buf, sizeof buf, "%.1f MB", b / 1024 / 1024);
  else
    snprintf(buf, sizeof buf, "%.1f GB", b / 1024 / 1024 / 1024);
  return buf;
}

std::string FingerprintHex(uint64_t fingerprint) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fingerprint));
  return std::string(buf, 16);
}

}  // namespace pgsift
