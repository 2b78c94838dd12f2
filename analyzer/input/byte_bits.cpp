#include "byte_bits.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cstring>

namespace pgsift::input_internal {
namespace {

// One 64-byte word: bits of a and b; control and high nonzero when some byte
// is below 0x20, or 0x80 and above.
struct WordBits {
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t control = 0;
  uint64_t high = 0;
};

[[maybe_unused]] WordBits WordBytewise(const char* chunk, char a, char b) {
  WordBits w;
  for (int k = 0; k < 64; ++k) {
    auto ch = static_cast<unsigned char>(chunk[k]);
    w.a |= static_cast<uint64_t>(chunk[k] == a) << k;
    w.b |= static_cast<uint64_t>(chunk[k] == b) << k;
    w.control |= static_cast<uint64_t>(ch < 0x20);
    w.high |= static_cast<uint64_t>(ch >= 0x80);
  }
  return w;
}

#if defined(__SSE2__)
// Four 16-byte loads (SSE2: every x86-64). An AVX2 word (two loads) measured
// no faster on the jsonlog reader: the time is in the text's first touch,
// not in the compares.
inline WordBits WordSse2(const char* chunk, char a, char b) {
  const __m128i va = _mm_set1_epi8(a);
  const __m128i vb = _mm_set1_epi8(b);
  const __m128i limit = _mm_set1_epi8(0x1F);
  WordBits w;
  for (int k = 0; k < 4; ++k) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(chunk + 16 * k));
    auto bits = [](__m128i m) { return static_cast<uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(m))); };
    w.a |= bits(_mm_cmpeq_epi8(x, va)) << (16 * k);
    w.b |= bits(_mm_cmpeq_epi8(x, vb)) << (16 * k);
    w.control |= bits(_mm_cmpeq_epi8(_mm_min_epu8(x, limit), x));  // x <= 0x1F
    w.high |= bits(x);
  }
  return w;
}
#endif

// The words of s through `word`; the last, partial one padded with a byte
// that is neither a nor b nor a control or high byte.
template <WordBits (*word)(const char*, char, char)>
ByteFlags FindWith(std::string_view s, char a, char b, uint64_t* a_bits, uint64_t* b_bits) {
  const size_t n = s.size();
  char pad = ' ';
  while (pad == a || pad == b) ++pad;
  WordBits any;
  for (size_t w = 0; w * 64 < n; ++w) {
    const char* chunk = s.data() + w * 64;
    char tail[64];
    if (n - w * 64 < 64) {
      std::memset(tail, pad, sizeof tail);
      std::memcpy(tail, chunk, n - w * 64);
      chunk = tail;
    }
    WordBits bits = word(chunk, a, b);
    a_bits[w] = bits.a;
    b_bits[w] = bits.b;
    any.b |= bits.b;
    any.control |= bits.control;
    any.high |= bits.high;
  }
  return {any.control != 0, any.high != 0, any.b != 0};
}

}  // namespace

bool ByteIsaAvailable(ByteIsa isa) {
#if defined(__SSE2__)
  return isa == ByteIsa::kBytewise || isa == ByteIsa::kSse2;
#else
  return isa == ByteIsa::kBytewise;
#endif
}

ByteFlags FindBytesWith(ByteIsa isa, std::string_view s, char a, char b, uint64_t* a_bits, uint64_t* b_bits) {
#if defined(__SSE2__)
  if (isa == ByteIsa::kSse2) return FindWith<WordSse2>(s, a, b, a_bits, b_bits);
#endif
  (void)isa;
  return FindWith<WordBytewise>(s, a, b, a_bits, b_bits);
}

ByteFlags FindBytes(std::string_view s, char a, char b, uint64_t* a_bits, uint64_t* b_bits) {
#if defined(__SSE2__)
  return FindWith<WordSse2>(s, a, b, a_bits, b_bits);
#else
  return FindWith<WordBytewise>(s, a, b, a_bits, b_bits);
#endif
}

bool AnyBit(const uint64_t* bits, size_t from, size_t to) {
  for (size_t i = from; i < to;) {
    size_t w = i / 64;
    uint64_t m = bits[w] >> (i % 64);
    size_t span = std::min<size_t>(64 - i % 64, to - i);
    if (span < 64) m &= (uint64_t{1} << span) - 1;
    if (m != 0) return true;
    i += span;
  }
  return false;
}

}  // namespace pgsift::input_internal
