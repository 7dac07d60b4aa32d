#pragma once
/// Runs a test body in a forked child, for tests that change process-wide
/// state (capabilities, the network namespace) that the test runner must keep.

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

namespace tcphs::test {

/// Returns what `body` returned in the child, or a text naming how the child
/// failed. `body` must not use doctest macros: the child leaves through _exit.
inline std::string run_in_child(const std::function<std::string()>& body) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe() failed";
  const pid_t pid = fork();
  if (pid < 0) return "fork() failed";
  if (pid == 0) {
    close(fds[0]);
    std::string out;
    try {
      out = body();
    } catch (...) {
      out = "child threw";
    }
    for (std::size_t done = 0; done < out.size();) {
      const ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) out += " [child died]";
  return out;
}

/// Moves the calling (child) process into a new, empty network namespace:
/// nothing it sends can leave. Needs root, or unprivileged user namespaces.
inline bool isolate_network() {
  return unshare(CLONE_NEWNET) == 0 || unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0;
}

}  // namespace tcphs::test
