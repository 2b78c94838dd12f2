// Formatting shared by every layer: durations, sizes, fingerprints.
#pragma once

#include <cstdint>
#include <string>

namespace pgsift {

std::string FormatMs(double ms);  // "0.123 ms", "4.5 ms", "4.50 s", "2.1 min", "2.1 h"
std::string FormatBytes(int64_t bytes);  // "512 B", "12 kB", "1.5 MB", "2.0 GB"
std::string FingerprintHex(uint64_t fingerprint);  // 16 lower-case hex digits

}  // namespace pgsift
