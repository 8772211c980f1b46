#include "credentials/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace tim::auth {

namespace {
std::string sys_error(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}
}  // namespace

Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Result<std::string>::failure(sys_error("cannot open", path));
  std::string out;
  char buf[8192];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto err = sys_error("cannot read", path);
      ::close(fd);
      return Result<std::string>::failure(err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return Result<std::string>::failure(path + " is larger than " + std::to_string(max_bytes) +
                                          " bytes");
    }
  }
  ::close(fd);
  return out;
}

std::string replace_file_atomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp.XXXXXX";
  // mkstemp creates the file with mode 0600 and O_EXCL: no window where others can read it.
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return sys_error("cannot create a temporary file for", path);
  auto fail = [&](const char* what) {
    auto err = sys_error(what, tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return err;
  };
  if (::fchmod(fd, 0600) != 0) return fail("cannot chmod");
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot fsync");
  if (::close(fd) != 0) {
    auto err = sys_error("cannot close", tmp);
    ::unlink(tmp.c_str());
    return err;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = sys_error("cannot rename over", path);
    ::unlink(tmp.c_str());
    return err;
  }
  // Make the rename itself durable.
  const int dfd = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace tim::auth
