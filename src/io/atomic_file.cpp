#include "tcphs/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fmt/format.h>


namespace tcphs::io {
namespace {

std::pair<std::string, std::string> split_path(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

core::Error write_error(const std::string& path, const char* step) {
  return core::io_error(fmt::format("cannot write {}: {}: {}", path, step, std::strerror(errno)));
}

}  // namespace

core::Status write_file_atomically(const std::string& path, std::string_view content) {
  const auto [dir, base] = split_path(path);
  std::string tmp = fmt::format("{}/.{}.tmp-XXXXXX", dir, base);
  int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return write_error(path, "creating a temporary file");
  auto fail = [&](const char* step) {
    const auto error = write_error(path, step);
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return error;
  };
  // mkstemp creates 0600; a report is for other users too (a collector).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) return fail("fchmod");
  for (std::size_t done = 0; done < content.size();) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("fsync");
  const int closed = ::close(std::exchange(fd, -1));
  if (closed != 0) return fail("close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename");
  return core::Ok{};
}

core::Status check_output_path(const std::string& path, std::string_view option) {
  const auto [dir, base] = split_path(path);
  struct stat st {};
  if (base.empty() || (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)))
    return core::usage_error(fmt::format("{} {}: is a directory, not a file name", option, path));
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return core::usage_error(fmt::format("{} {}: directory '{}' does not exist", option, path, dir));
  // The temporary file and the rename need write and search rights there.
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return core::usage_error(fmt::format("{} {}: cannot create a file in '{}': {}", option, path, dir, std::strerror(errno)));
  return core::Ok{};
}

}  // namespace tcphs::io
