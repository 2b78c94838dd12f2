// Output files and standard output, written so that a failure is seen and
// reported and never leaves a truncated report behind. Every command writes
// its files through OutputFile / WriteFileAtomically and its standard output
// through FdStreambuf (installed on std::cout by main).
#pragma once

#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

#include "pgsift/result.h"

namespace pgsift {

// A buffered streambuf over a file descriptor that checks every write(2)
// and keeps the first errno. SIGPIPE is left alone, so `pgsift ... | head`
// ends the way it always did (killed by SIGPIPE, exit 141). Not thread-safe.
class FdStreambuf : public std::streambuf {
 public:
  explicit FdStreambuf(int fd) : fd_(fd) { setp(buf_, buf_ + sizeof buf_); }
  FdStreambuf(const FdStreambuf&) = delete;
  FdStreambuf& operator=(const FdStreambuf&) = delete;
  ~FdStreambuf() override = default;
  // 0, or the errno of the first write that failed.
  int error() const { return error_; }
  // Writes out what is buffered; false (and error() set) if anything failed.
  bool Flush();

 protected:
  int_type overflow(int_type ch) override;
  int sync() override { return Flush() ? 0 : -1; }
  std::streamsize xsputn(const char* s, std::streamsize n) override;

 private:
  bool WriteAll(const char* p, size_t n);
  int fd_;
  int error_ = 0;
  char buf_[1 << 16];
};

// A file written in full or not at all: the data goes to a temporary file in
// the target's directory, which Commit() flushes, fsyncs and renames over
// the target. Without a successful Commit() the temporary file is removed
// and an existing target is left as it was. A target that exists and is not
// a regular file (/dev/null, /dev/stdout, a FIFO) is written in place, and
// so is "-", standard output.
// Errors name the path and the errno text ("cannot write PATH: REASON").
class OutputFile {
 public:
  static Result<std::unique_ptr<OutputFile>> Open(const std::string& path);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();
  std::ostream& out() { return out_; }
  Status Commit();

 private:
  OutputFile(std::string path, std::string temp, int fd, bool in_place);
  std::string path_, temp_, target_;
  int fd_;
  bool in_place_, done_ = false;
  FdStreambuf buf_;
  std::ostream out_;
};

// Open + write + Commit.
Status WriteFileAtomically(const std::string& path, std::string_view data);

}  // namespace pgsift
