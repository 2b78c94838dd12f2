// A fast 64-bit hash of text (eight bytes per step), for hot-path caches and
// equality checks where a collision costs little: not for anything stored.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace pgsift {

inline uint64_t TextHash(std::string_view s) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ULL;
  uint64_t h = s.size() * kMul;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * kMul;
  return h ^ (h >> 32);
}

}  // namespace pgsift
