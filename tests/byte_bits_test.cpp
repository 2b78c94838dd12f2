// input/byte_bits.h: the bitmaps the jsonlog and csvlog readers walk.
#include "input/byte_bits.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "record_collector.h"

namespace pgsift::input_internal {
namespace {

// Real lines of both formats, every length to 200 with the interesting bytes
// at every seventh offset, and random bytes.
std::vector<std::string> Texts() {
  std::vector<std::string> out;
  for (const char* file : {"logs/clinic.json", "logs/clinic.csv"}) {
    std::string data = testing::ReadFixture(file);
    EXPECT_GT(data.size(), 1000u) << file;
    std::string line;
    for (std::istringstream lines(data); std::getline(lines, line);) out.push_back(line);
  }
  for (size_t len = 0; len < 200; ++len) {
    for (char c : {'"', '\\', ',', '\x01', '\x1F', ' ', '\x7F', '\x80', '\xFF'}) {
      std::string s(len, 'a');
      for (size_t at = 0; at < len; at += 7) s[at] = c;
      out.push_back(s);
    }
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::string s(rng() % 300, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    out.push_back(s);
  }
  return out;
}

struct Found {
  std::vector<uint64_t> a, b;
  ByteFlags flags;
};

Found Find(ByteIsa isa, const std::string& s, char a, char b) {
  Found f;
  f.a.assign(WordsFor(s.size()), ~uint64_t{0});
  f.b.assign(WordsFor(s.size()), ~uint64_t{0});
  f.flags = FindBytesWith(isa, s, a, b, f.a.data(), f.b.data());
  return f;
}

TEST(ByteBits, EveryWayGivesTheBitsOfEveryByte) {
  size_t checked = 0;
  for (const std::string& s : Texts()) {
    for (auto [a, b] : {std::pair{'"', '\\'}, std::pair{'"', ','}, std::pair{' ', '!'}}) {
      for (ByteIsa isa : {ByteIsa::kBytewise, ByteIsa::kSse2}) {
        if (!ByteIsaAvailable(isa)) continue;
        Found f = Find(isa, s, a, b);
        bool control = false, high = false, any_b = false;
        for (size_t i = 0; i < s.size(); ++i) {
          auto c = static_cast<unsigned char>(s[i]);
          ASSERT_EQ((f.a[i / 64] >> (i % 64)) & 1, uint64_t{s[i] == a}) << i << " of a " << s.size() << "-byte text";
          ASSERT_EQ((f.b[i / 64] >> (i % 64)) & 1, uint64_t{s[i] == b}) << i;
          control |= c < 0x20;
          high |= c >= 0x80;
          any_b |= s[i] == b;
        }
        for (size_t i = s.size(); i % 64 != 0; ++i) {  // no bit past the end
          ASSERT_EQ((f.a[i / 64] >> (i % 64)) & 1, 0u) << i;
          ASSERT_EQ((f.b[i / 64] >> (i % 64)) & 1, 0u) << i;
        }
        ASSERT_EQ(f.flags.control, control);
        ASSERT_EQ(f.flags.high, high);
        ASSERT_EQ(f.flags.any_b, any_b);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 3000u);
  EXPECT_TRUE(ByteIsaAvailable(ByteIsa::kBytewise));
}

TEST(ByteBits, NextBitAnyBitAndTheCursorAgreeWithAScan) {
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    size_t n = rng() % 400;
    std::string s(n, 'x');
    for (char& c : s) {
      if (rng() % 9 == 0) c = '"';
    }
    std::vector<uint64_t> q(WordsFor(n) + 1), other(WordsFor(n) + 1);
    FindBytes(s, '"', ',', q.data(), other.data());
    std::vector<size_t> positions;
    for (size_t i = 0; i < n; ++i) {
      if (s[i] == '"') positions.push_back(i);
    }
    BitCursor cursor(q.data(), n);
    for (size_t p : positions) ASSERT_EQ(cursor.Next(), p);
    ASSERT_EQ(cursor.Next(), n);
    for (size_t from = 0; from <= n; ++from) {
      size_t want = s.find('"', from);
      ASSERT_EQ(NextBit(q.data(), from, n), want == std::string::npos ? n : want) << from;
      BitCursor seek(q.data(), n);
      seek.Seek(from);
      ASSERT_EQ(seek.Next(), want == std::string::npos ? n : want) << from;
      for (size_t to = from; to <= n && to < from + 140; ++to) {
        bool any = s.substr(from, to - from).find('"') != std::string::npos;
        ASSERT_EQ(AnyBit(q.data(), from, to), any) << from << ".." << to;
      }
    }
  }
}

}  // namespace
}  // namespace pgsift::input_internal
