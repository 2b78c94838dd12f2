// Output files and standard output: see pgsift/output.h.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "pgsift/output.h"

namespace pgsift {

namespace {

std::string WriteError(const std::string& path, int err) { return "cannot write " + path + ": " + std::strerror(err); }

}  // namespace

bool FdStreambuf::WriteAll(const char* p, size_t n) {
  if (error_ != 0) return false;
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    if (w == 0) {
      error_ = EIO;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool FdStreambuf::Flush() {
  size_t n = static_cast<size_t>(pptr() - pbase());
  setp(buf_, buf_ + sizeof buf_);
  if (n > 0) WriteAll(buf_, n);
  return error_ == 0;
}

FdStreambuf::int_type FdStreambuf::overflow(int_type ch) {
  if (!Flush()) return traits_type::eof();
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  *pptr() = traits_type::to_char_type(ch);
  pbump(1);
  return ch;
}

std::streamsize FdStreambuf::xsputn(const char* s, std::streamsize n) {
  if (n <= 0) return 0;
  size_t room = static_cast<size_t>(epptr() - pptr());
  if (static_cast<size_t>(n) <= room) {
    std::memcpy(pptr(), s, static_cast<size_t>(n));
    pbump(static_cast<int>(n));
    return n;
  }
  if (!Flush()) return 0;
  if (static_cast<size_t>(n) < sizeof buf_) {
    std::memcpy(pptr(), s, static_cast<size_t>(n));
    pbump(static_cast<int>(n));
    return n;
  }
  return WriteAll(s, static_cast<size_t>(n)) ? n : 0;
}

OutputFile::OutputFile(std::string path, std::string temp, int fd, bool in_place)
    : path_(std::move(path)), temp_(std::move(temp)), fd_(fd), in_place_(in_place), buf_(fd), out_(&buf_) {}

OutputFile::~OutputFile() {
  if (done_) return;
  if (fd_ >= 0) ::close(fd_);
  if (!in_place_) ::unlink(temp_.c_str());
}

Result<std::unique_ptr<OutputFile>> OutputFile::Open(const std::string& path) {
  if (path.empty()) return Err("cannot write an empty path");
  if (path == "-") {
    // Standard output, as "-" means for inputs: written in place.
    std::cout.flush();
    int fd = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (fd < 0) return Err(WriteError("standard output", errno));
    auto file = std::unique_ptr<OutputFile>(new OutputFile("standard output", "", fd, true));
    return file;
  }
  std::string target = path;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    // Replace the file the link points to, not the link.
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) != nullptr) target = resolved;
  }
  bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) return Err(WriteError(path, EISDIR));
  if (exists && !S_ISREG(st.st_mode)) {
    int fd = ::open(target.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return Err(WriteError(path, errno));
    auto file = std::unique_ptr<OutputFile>(new OutputFile(path, target, fd, true));
    file->target_ = target;
    return file;
  }
  size_t slash = target.rfind('/');
  std::string dir = slash == std::string::npos ? "" : target.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
  std::string temp = dir + "." + base + ".pgsift-XXXXXX";
  int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return Err(WriteError(path, errno));
  // The mode a new file would get (0666 less the umask), or the existing one's.
  mode_t mode;
  if (exists) {
    mode = st.st_mode & 07777;
  } else {
    mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  if (::fchmod(fd, mode) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return Err(WriteError(path, err));
  }
  auto file = std::unique_ptr<OutputFile>(new OutputFile(path, temp, fd, false));
  // Rename over the resolved target (a symlink stays a symlink).
  file->target_ = target;
  return file;
}

Status OutputFile::Commit() {
  if (done_) return Err(WriteError(path_, EBADF));
  bool ok = buf_.Flush();
  int err = buf_.error();
  if (ok && !in_place_ && ::fsync(fd_) != 0) {
    ok = false;
    err = errno;
  }
  if (::close(fd_) != 0 && ok) {
    ok = false;
    err = errno;
  }
  fd_ = -1;
  if (!ok) {
    if (!in_place_) ::unlink(temp_.c_str());
    done_ = true;
    return Err(WriteError(path_, err));
  }
  done_ = true;
  if (in_place_) return Ok{};
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    err = errno;
    ::unlink(temp_.c_str());
    return Err(WriteError(path_, err));
  }
  size_t slash = target_.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : target_.substr(0, slash));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // best effort: the data itself is already on disk
    ::close(dfd);
  }
  return Ok{};
}

Status WriteFileAtomically(const std::string& path, std::string_view data) {
  auto file = OutputFile::Open(path);
  if (!file.ok()) return Err(file.error());
  (*file)->out().write(data.data(), static_cast<std::streamsize>(data.size()));
  return (*file)->Commit();
}

}  // namespace pgsift
