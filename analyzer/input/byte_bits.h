// Bitmaps of two bytes in a text, 64 bytes a word, for the readers that walk
// a line from one structural byte to the next (jsonlog: quotes and
// backslashes; csvlog: quotes and commas) instead of searching for each.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace pgsift::input_internal {

// What FindBytes saw besides the two bytes' positions.
struct ByteFlags {
  bool control = false;  // a byte below 0x20
  bool high = false;     // a byte of 0x80 or above
  bool any_b = false;    // the second byte occurs
};

// The ways of finding them: bytewise anywhere, SSE2 on x86-64 (FindBytes
// takes SSE2 where it is there). Both give the same bits; the tests compare
// them.
enum class ByteIsa { kBytewise, kSse2 };
bool ByteIsaAvailable(ByteIsa isa);

// Bit i of a_bits[i / 64] (b_bits) is set when s[i] is a (b); both arrays
// hold WordsFor(s.size()) words.
ByteFlags FindBytesWith(ByteIsa isa, std::string_view s, char a, char b, uint64_t* a_bits, uint64_t* b_bits);
ByteFlags FindBytes(std::string_view s, char a, char b, uint64_t* a_bits, uint64_t* b_bits);

constexpr size_t WordsFor(size_t n) { return (n + 63) / 64; }

// The bitmaps of one text at a time, for a reader that classifies line after
// line: the storage grows to the longest text and is kept.
class ByteBitmaps {
 public:
  ByteBitmaps(char a, char b) : a_(a), b_(b) {}
  // FindBytes over s; a() and b() hold its bits until the next Find.
  ByteFlags Find(std::string_view s) {
    const size_t words = WordsFor(s.size());
    if (a_bits_.size() < words) {
      a_bits_.resize(words);
      b_bits_.resize(words);
    }
    return FindBytes(s, a_, b_, a_bits_.data(), b_bits_.data());
  }
  const uint64_t* a() const { return a_bits_.data(); }
  const uint64_t* b() const { return b_bits_.data(); }

 private:
  char a_;
  char b_;
  std::vector<uint64_t> a_bits_;
  std::vector<uint64_t> b_bits_;
};

// The first set bit at or after `from`, or n when there is none.
inline size_t NextBit(const uint64_t* bits, size_t from, size_t n) {
  if (from >= n) return n;
  size_t w = from / 64;
  uint64_t m = bits[w] & (~uint64_t{0} << (from % 64));
  const size_t words = WordsFor(n);
  while (m == 0) {
    if (++w == words) return n;
    m = bits[w];
  }
  return w * 64 + static_cast<size_t>(std::countr_zero(m));
}

// Whether a bit is set in [from, to).
bool AnyBit(const uint64_t* bits, size_t from, size_t to);

// Set bits in order: Next pops the first one not yet taken; Seek drops those
// before a position.
class BitCursor {
 public:
  BitCursor(const uint64_t* bits, size_t n) : bits_(bits), count_(WordsFor(n)), n_(n), word_bits_(n ? bits[0] : 0) {}
  // The position of the next set bit, or n when there is none.
  size_t Next() {
    while (word_bits_ == 0) {
      if (++word_ >= count_) return n_;
      word_bits_ = bits_[word_];
    }
    size_t pos = word_ * 64 + static_cast<size_t>(std::countr_zero(word_bits_));
    word_bits_ &= word_bits_ - 1;
    return pos;
  }
  void Seek(size_t pos) {
    word_ = pos / 64;
    word_bits_ = word_ < count_ ? bits_[word_] & (~uint64_t{0} << (pos % 64)) : 0;
  }

 private:
  const uint64_t* bits_;
  size_t count_;
  size_t n_;
  size_t word_ = 0;
  uint64_t word_bits_;
};

}  // namespace pgsift::input_internal
