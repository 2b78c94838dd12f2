// Byte sources and line splitting. Readers take a ByteSource, so tests feed
// them from memory and production from files, pipes or compressed streams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/result.h"

namespace pgsift {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes; 0 means end of input. An error (truncated gzip,
  // unreadable file) is returned once, after the bytes that could be read.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

std::unique_ptr<ByteSource> MemorySource(std::string data);

// Opens a path ("-" is stdin). Compression (gzip, bzip2, xz, zstd, lz4) is
// recognised from the data, not the name, and decoded by libarchive.
Result<std::unique_ptr<ByteSource>> OpenInput(const std::string& path);

// Windows of `bytes` bytes from the middle and the end of a plain file (not
// compressed, not stdin or a pipe), for sampling a log beyond its head (its
// first `skip` bytes): no window overlaps the head or another, so no line is
// sampled twice (the end's is shorter when the file ends within `bytes` of
// `skip`); empty when the file is not longer than `skip` or `bytes`. A
// window starts and ends anywhere in a line.
std::vector<std::string> ReadWindows(const std::string& path, size_t bytes, uint64_t skip = 0);

// The whole of OpenInput(path) as one string (a small input: a snapshot,
// an export, a partial report). An error starts with the path.
Result<std::string> ReadInput(const std::string& path);

// Splits a source into lines without copying them. A line excludes its '\n'
// and a trailing '\r'. A line view stays valid until the next Next() call.
class LineReader {
 public:
  explicit LineReader(ByteSource* source);
  // Lines of `data`, which must outlive the reader; numbering continues
  // after `lines_before` (a piece of a larger input).
  LineReader(std::string_view data, uint64_t lines_before);
  // The first bytes of the input (up to 64 KiB) without consuming them, for
  // format detection.
  std::string_view Peek();
  bool Next(std::string_view* line);
  uint64_t line_number() const { return line_number_; }  // of the last line returned
  // The source's error, if it failed mid-way (empty when it ended cleanly).
  const std::string& error() const { return error_; }
  uint64_t bytes_read() const { return bytes_read_; }
  // True when every line returned stays valid for the reader's lifetime
  // (lines of caller-owned data); false when a later Next() may move them.
  bool lines_stay_valid() const { return source_ == nullptr; }
  // Copies the concatenation of `parts` into storage that lives as long as
  // the reader (blocks that never move): a value a record reader builds, such
  // as an unescaped string, then stays valid as long as the lines do.
  std::string_view KeepText(std::initializer_list<std::string_view> parts);

 private:
  bool Fill();
  std::vector<std::unique_ptr<char[]>> kept_;  // KeepText blocks
  size_t kept_used_ = 0, kept_cap_ = 0;
  ByteSource* source_;
  std::unique_ptr<char[]> buf_;  // owned buffer (source mode)
  char* base_;                   // buf_ or the caller's data (view mode)
  size_t cap_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t line_number_ = 0;
  uint64_t bytes_read_ = 0;
  std::string error_;
};

}  // namespace pgsift
