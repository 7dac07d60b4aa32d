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

/// Sets or clears NO_COLOR for one scope, then puts back what was there.
class NoColor {
 public:
  explicit NoColor(const char* value) {
    if (const char* old = std::getenv("NO_COLOR")) old_ = old;
    if (value) setenv("NO_COLOR", value, 1);
    else unsetenv("NO_COLOR");
  }
  ~NoColor() {
    if (old_) setenv("NO_COLOR", old_->c_str(), 1);
    else unsetenv("NO_COLOR");
  }

 private:
  std::optional<std::string> old_;
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
  SUBCASE("--color always and never win over the terminal and NO_COLOR") {
    NoColor set("1");
    CHECK(want_color(ColorMode::always, pipe_fds[1]));
    CHECK_FALSE(want_color(ColorMode::never, pty.slave));
  }
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}
