// The only file that includes libarchive and zlib: gzip is decoded with
// zlib (every byte before damage or a cut is returned), bzip2, xz, zstd and
// lz4 with libarchive (in blocks), each recognised by its magic bytes. Plain
// files are read with read(2) directly.
#include <archive.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "pgsift/input.h"

namespace pgsift {
namespace {

constexpr size_t kMagicBytes = 6;

bool IsGzip(const unsigned char* m, size_t n) { return n >= 2 && m[0] == 0x1f && m[1] == 0x8b; }

bool LooksCompressed(const unsigned char* m, size_t n) {
  if (IsGzip(m, n)) return true;
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

// gzip, one member or several (as `cat a.gz b.gz` or pigz write them).
// libarchive's gzip filter drops its whole output block when the input ends
// early; zlib hands out what it decoded, so a truncated log loses only the
// cut line.
class GzipSource : public ByteSource {
 public:
  GzipSource(std::unique_ptr<FdSource> raw, std::string path) : raw_(std::move(raw)), path_(std::move(path)) {}
  ~GzipSource() override {
    if (initialised_) inflateEnd(&zs_);
  }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  Status Open() {
    if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) return Err(path_ + ": cannot start the gzip decoder");
    initialised_ = true;
    return Ok{};
  }

  Result<size_t> Read(char* buf, size_t n) override {
    if (done_) return size_t{0};
    zs_.next_out = reinterpret_cast<Bytef*>(buf);
    zs_.avail_out = static_cast<uInt>(std::min<size_t>(n, UINT_MAX));
    const uInt wanted = zs_.avail_out;
    while (zs_.avail_out > 0 && problem_.empty()) {
      if (zs_.avail_in == 0 && !eof_) {
        Result<size_t> r = raw_->Read(in_, sizeof in_);
        if (!r.ok()) {
          problem_ = r.error();
          break;
        }
        if (*r == 0) {
          eof_ = true;
        } else {
          zs_.next_in = reinterpret_cast<Bytef*>(in_);
          zs_.avail_in = static_cast<uInt>(*r);
          compressed_ += *r;
        }
      }
      if (zs_.avail_in == 0 && eof_) {
        if (in_member_) problem_ = "unexpected end of file";
        break;
      }
      int z = inflate(&zs_, Z_NO_FLUSH);
      if (z == Z_STREAM_END) {
        in_member_ = false;
        ++members_;
        inflateReset(&zs_);  // another member may follow
      } else if (z == Z_OK || z == Z_BUF_ERROR) {
        in_member_ = true;
      } else if (members_ > 0 && !in_member_) {
        // Bytes after the last whole member that are no gzip member (zero
        // padding of a preallocated file): gzip -d ignores them too.
        problem_ = "trailing data after the gzip stream ignored";
        trailing_ = true;
      } else {
        problem_ = zs_.msg != nullptr ? zs_.msg : "invalid gzip data";
      }
    }
    size_t produced = wanted - zs_.avail_out;
    decoded_ += produced;
    if (produced > 0) return produced;  // a problem is told on the next call
    done_ = true;
    if (problem_.empty()) return size_t{0};
    if (trailing_) return Err(path_ + ": " + problem_ + " (after " + std::to_string(decoded_) + " bytes decoded)");
    return Err(path_ + ": compressed input is damaged or truncated after " + std::to_string(decoded_) +
               " bytes decoded from " + std::to_string(compressed_) + " compressed bytes read: " + problem_);
  }

 private:
  std::unique_ptr<FdSource> raw_;
  std::string path_;
  z_stream zs_{};
  bool initialised_ = false, eof_ = false, done_ = false, in_member_ = false, trailing_ = false;
  uint64_t members_ = 0, decoded_ = 0, compressed_ = 0;
  std::string problem_;
  char in_[1 << 16];
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
  const auto* magic = reinterpret_cast<const unsigned char*>(head.data());
  bool compressed = LooksCompressed(magic, head.size());
  bool gzip = IsGzip(magic, head.size());
  auto raw = std::make_unique<FdSource>(fd, !is_stdin, name, std::move(head));
  if (!compressed) return std::unique_ptr<ByteSource>(std::move(raw));
  if (gzip) {
    auto gz = std::make_unique<GzipSource>(std::move(raw), name);
    if (Status s = gz->Open(); !s.ok()) return Err(s.error());
    return std::unique_ptr<ByteSource>(std::move(gz));
  }
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
