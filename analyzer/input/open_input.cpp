// The only file that includes libarchive: it decodes gzip, bzip2, xz, zstd
// and lz4 streams recognised by their magic bytes. Plain files are read with
// read(2) directly.
#include <archive.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pgsift/input.h"

namespace pgsift {
namespace {

constexpr size_t kMagicBytes = 6;

bool LooksCompressed(const unsigned char* m, size_t n) {
  if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) return true;               // gzip
  if (n >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') return true;  // bzip2
  if (n >= 6 && std::memcmp(m,
                            "\xFD"
                            "7zXZ\x00",
                            6) == 0)
    return true;                                                                            // xz
  if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) return true;  // zstd
  if (n >= 4 && m[0] == 0x04 && m[1] == 0x22 && m[2] == 0x4d && m[3] == 0x18) return true;  // lz4
  return false;
}

// A file descriptor whose first bytes were already read for the magic check.
class FdSource : public ByteSource {
 public:
  FdSource(int fd, bool owned, std::string path, std::string head)
      : fd_(fd), owned_(owned), path_(std::move(path)), head_(std::move(head)) {}
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }
  Result<size_t> Read(char* buf, size_t n) override {
    if (head_pos_ < head_.size()) {
      size_t k = std::min(n, head_.size() - head_pos_);
      std::memcpy(buf, head_.data() + head_pos_, k);
      head_pos_ += k;
      return k;
    }
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno == EINTR) continue;
      return Err(path_ + ": read error: " + std::strerror(errno));
    }
  }
  // For libarchive's callback.
  int fd() const { return fd_; }

 private:
  int fd_;
  bool owned_;
  std::string path_;
  std::string head_;
  size_t head_pos_ = 0;
};

class ArchiveSource : public ByteSource {
 public:
  ArchiveSource(std::unique_ptr<FdSource> raw, std::string path) : raw_(std::move(raw)), path_(std::move(path)) {}
  ~ArchiveSource() override {
    if (a_ != nullptr) archive_read_free(a_);
  }

  Status Open() {
    a_ = archive_read_new();
    archive_read_support_filter_all(a_);
    archive_read_support_format_raw(a_);
    if (archive_read_open(a_, this, nullptr, &ArchiveSource::ReadCallback, nullptr) != ARCHIVE_OK) {
      return Err(path_ + ": cannot open compressed stream: " + ErrorString());
    }
    archive_entry* entry = nullptr;
    if (archive_read_next_header(a_, &entry) != ARCHIVE_OK) {
      return Err(path_ + ": cannot read compressed stream: " + ErrorString());
    }
    return Ok{};
  }

  Result<size_t> Read(char* buf, size_t n) override {
    if (done_) return size_t{0};
    la_ssize_t r = archive_read_data(a_, buf, n);
    if (r < 0) {
      done_ = true;
      // How far it got: the decoded lines before the cut are still read.
      return Err(path_ + ": compressed input is damaged or truncated after " + std::to_string(decoded_) +
                 " bytes decoded from " + std::to_string(compressed_) + " compressed bytes read: " + ErrorString());
    }
    decoded_ += static_cast<uint64_t>(r);
    if (r == 0) done_ = true;
    return static_cast<size_t>(r);
  }

 private:
  static la_ssize_t ReadCallback(archive* a, void* self_ptr, const void** out) {
    auto* self = static_cast<ArchiveSource*>(self_ptr);
    Result<size_t> r = self->raw_->Read(self->chunk_, sizeof self->chunk_);
    if (!r.ok()) {
      archive_set_error(a, EIO, "%s", r.error().c_str());
      return -1;
    }
    *out = self->chunk_;
    self->compressed_ += *r;
    return static_cast<la_ssize_t>(*r);
  }
  std::string ErrorString() const {
    const char* e = archive_error_string(a_);
    return e != nullptr ? e : "unknown error";
  }

  std::unique_ptr<FdSource> raw_;
  std::string path_;
  archive* a_ = nullptr;
  bool done_ = false;
  uint64_t decoded_ = 0, compressed_ = 0;
  char chunk_[1 << 16];
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenInput(const std::string& path) {
  bool is_stdin = path == "-";
  int fd = is_stdin ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Err(path + ": cannot open: " + std::strerror(errno));
  std::string name = is_stdin ? "<stdin>" : path;
  std::string head(kMagicBytes, '\0');
  size_t got = 0;
  while (got < kMagicBytes) {
    ssize_t r = ::read(fd, head.data() + got, kMagicBytes - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int err = errno;
      if (!is_stdin) ::close(fd);
      return Err(name + ": cannot read: " + std::strerror(err));
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  head.resize(got);
  bool compressed = LooksCompressed(reinterpret_cast<const unsigned char*>(head.data()), head.size());
  auto raw = std::make_unique<FdSource>(fd, !is_stdin, name, std::move(head));
  if (!compressed) return std::unique_ptr<ByteSource>(std::move(raw));
  auto arch = std::make_unique<ArchiveSource>(std::move(raw), name);
  if (Status s = arch->Open(); !s.ok()) return Err(s.error());
  return std::unique_ptr<ByteSource>(std::move(arch));
}

std::vector<std::string> ReadWindows(const std::string& path, size_t bytes, uint64_t skip) {
  std::vector<std::string> out;
  if (path == "-") return out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  struct stat st {};
  unsigned char magic[kMagicBytes] = {};
  ssize_t m = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? ::pread(fd, magic, kMagicBytes, 0) : -1;
  uint64_t size = static_cast<uint64_t>(st.st_size);
  std::vector<uint64_t> starts;  // after `skip`, not overlapping
  if (m >= 0 && !LooksCompressed(magic, static_cast<size_t>(m)) && size > skip && size > bytes) {
    uint64_t end = std::max<uint64_t>(skip, size - bytes);
    uint64_t middle = size / 2 - std::min<uint64_t>(size / 2, bytes / 2);
    if (middle >= skip && middle + bytes <= end) starts.push_back(middle);
    starts.push_back(end);
  }
  for (uint64_t at : starts) {
    std::string w(bytes, '\0');
    size_t got = 0;
    while (got < bytes) {
      ssize_t r = ::pread(fd, w.data() + got, bytes - got, static_cast<off_t>(at + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    w.resize(got);
    out.push_back(std::move(w));
  }
  ::close(fd);
  return out;
}

}  // namespace pgsift
