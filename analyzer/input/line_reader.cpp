#include <algorithm>
#include <cstring>

#include "pgsift/input.h"

namespace pgsift {

namespace {
constexpr size_t kInitialBuffer = 1 << 20;
constexpr size_t kPeekBytes = 64 << 10;

class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t k = std::min(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};
}  // namespace

std::unique_ptr<ByteSource> MemorySource(std::string data) { return std::make_unique<StringSource>(std::move(data)); }

LineReader::LineReader(ByteSource* source)
    : source_(source), buf_(new char[kInitialBuffer]), base_(buf_.get()), cap_(kInitialBuffer) {}

LineReader::LineReader(std::string_view data, uint64_t lines_before)
    : source_(nullptr),
      base_(const_cast<char*>(data.data())),  // never written: eof_ is set, so Fill() returns at once
      cap_(data.size()),
      end_(data.size()),
      eof_(true),
      line_number_(lines_before),
      bytes_read_(data.size()) {}

// Moves the unread tail to the front, grows the buffer when a single line
// fills it, and reads more. Returns false when nothing more can come.
bool LineReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(base_, base_ + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == cap_) {
    size_t cap = cap_ * 2;
    std::unique_ptr<char[]> bigger(new char[cap]);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    base_ = buf_.get();
    cap_ = cap;
  }
  Result<size_t> n = source_->Read(base_ + end_, cap_ - end_);
  if (!n.ok()) {
    error_ = n.error();
    eof_ = true;
    return false;
  }
  if (*n == 0) {
    eof_ = true;
    return false;
  }
  end_ += *n;
  bytes_read_ += *n;
  return true;
}

std::string_view LineReader::Peek() {
  while (!eof_ && end_ - begin_ < kPeekBytes) {
    if (!Fill()) break;
  }
  return std::string_view(base_ + begin_, std::min(end_ - begin_, kPeekBytes));
}

bool LineReader::Next(std::string_view* line) {
  size_t scan_from = begin_;
  for (;;) {
    const char* start = base_ + scan_from;
    const void* nl = std::memchr(start, '\n', end_ - scan_from);
    if (nl != nullptr) {
      size_t e = static_cast<size_t>(static_cast<const char*>(nl) - base_);
      size_t len = e - begin_;
      if (len > 0 && base_[e - 1] == '\r') --len;
      *line = std::string_view(base_ + begin_, len);
      begin_ = e + 1;
      ++line_number_;
      return true;
    }
    size_t scanned = end_ - begin_;
    if (!Fill()) {
      if (end_ > begin_) {  // last line without a newline
        size_t len = end_ - begin_;
        if (base_[end_ - 1] == '\r') --len;
        *line = std::string_view(base_ + begin_, len);
        begin_ = end_;
        ++line_number_;
        return true;
      }
      return false;
    }
    scan_from = begin_ + scanned;
  }
}

std::string_view LineReader::KeepText(std::initializer_list<std::string_view> parts) {
  size_t n = 0;
  for (std::string_view p : parts) n += p.size();
  if (n == 0) return {};
  if (n > kept_cap_ - kept_used_) {
    kept_cap_ = std::max<size_t>(size_t{64} << 10, n);
    kept_.push_back(std::make_unique<char[]>(kept_cap_));
    kept_used_ = 0;
  }
  char* out = kept_.back().get() + kept_used_;
  char* w = out;
  for (std::string_view p : parts) {
    if (p.empty()) continue;
    std::memcpy(w, p.data(), p.size());
    w += p.size();
  }
  kept_used_ += n;
  return std::string_view(out, n);
}

}  // namespace pgsift
