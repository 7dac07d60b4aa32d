#include "tcphs/app/text_format.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

using namespace tcphs::app;

namespace {

/// A pseudo-terminal's both ends, so that "auto" has a real terminal to see.
struct Pty {
  int master = -1;
  int slave = -1;
  Pty() {
    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0) slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  }
  ~Pty() {
    if (slave >= 0) close(slave);
    if (master >= 0) close(master);
  }
};

/// Sets or clears an environment variable for one scope, then puts back
/// what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

struct NoColor : ScopedEnv {
  explicit NoColor(const char* value) : ScopedEnv("NO_COLOR", value) {}
};

}  // namespace

TEST_CASE("app::want_color") {
  Pty pty;
  REQUIRE(pty.slave >= 0);
  REQUIRE(isatty(pty.slave) == 1);
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);

  SUBCASE("auto: a terminal, and NO_COLOR unset or empty") {
    NoColor unset(nullptr);
    ScopedEnv term("TERM", "xterm-256color");
    CHECK(want_color(ColorMode::auto_, pty.slave));
    CHECK_FALSE(want_color(ColorMode::auto_, pipe_fds[1]));
    NoColor empty("");
    CHECK(want_color(ColorMode::auto_, pty.slave));
  }
  SUBCASE("auto: NO_COLOR with any value turns colour off, even on a terminal") {
    NoColor set("1");
    CHECK_FALSE(want_color(ColorMode::auto_, pty.slave));
    NoColor other("no");
    CHECK_FALSE(want_color(ColorMode::auto_, pty.slave));
  }
  SUBCASE("auto: TERM=dumb (or no TERM) is a terminal that cannot colour") {
    NoColor unset(nullptr);
    ScopedEnv dumb("TERM", "dumb");
    CHECK_FALSE(want_color(ColorMode::auto_, pty.slave));
    ScopedEnv none("TERM", nullptr);
    CHECK_FALSE(want_color(ColorMode::auto_, pty.slave));
    ScopedEnv xterm("TERM", "xterm");
    CHECK(want_color(ColorMode::auto_, pty.slave));
    CHECK(want_color(ColorMode::always, pty.slave));
  }
  SUBCASE("--color always and never win over the terminal and NO_COLOR") {
    NoColor set("1");
    CHECK(want_color(ColorMode::always, pipe_fds[1]));
    CHECK_FALSE(want_color(ColorMode::never, pty.slave));
  }
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}
