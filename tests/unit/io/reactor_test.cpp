#include "tcphs/io/reactor.hpp"

#include <doctest/doctest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>

#include "tcphs/io/system.hpp"

using namespace std::chrono_literals;
using tcphs::io::Reactor;
using tcphs::io::Turn;

TEST_CASE("io::Reactor: a turn that is done ends the run at once") {
  Reactor reactor;
  REQUIRE(reactor.ready());
  int turns = 0;
  auto end = reactor.run([&]() -> tcphs::core::Result<Turn> { return Turn{++turns == 1, std::nullopt}; });
  REQUIRE(end);
  CHECK(end->signal == 0);
  CHECK(turns == 1);
}

TEST_CASE("io::Reactor: the turn's deadline wakes it, no earlier") {
  Reactor reactor;
  const auto start = tcphs::io::now();
  const auto deadline = start + 30ms;
  std::vector<tcphs::core::Instant> at;
  auto end = reactor.run([&]() -> tcphs::core::Result<Turn> {
    at.push_back(tcphs::io::now());
    return Turn{at.size() == 2, deadline};
  });
  REQUIRE(end);
  REQUIRE(at.size() == 2);
  CHECK(at[1] >= deadline);
}

TEST_CASE("io::Reactor: a watched descriptor wakes it; a turn's error ends the run") {
  Reactor reactor;
  const int ev = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  REQUIRE(ev >= 0);
  REQUIRE(reactor.watch(ev));
  int turns = 0;
  auto end = reactor.run([&]() -> tcphs::core::Result<Turn> {
    if (++turns == 1) {
      const std::uint64_t one = 1;
      REQUIRE(::write(ev, &one, sizeof one) == sizeof one);
      return Turn{false, std::nullopt};  // no deadline: only the descriptor can wake it
    }
    return tcphs::core::io_error("stop here");
  });
  ::close(ev);
  REQUIRE_FALSE(end);
  CHECK(end.error().message == "stop here");
  CHECK(turns == 2);
}

TEST_CASE("io::Reactor: SIGINT and SIGTERM end the run with their number") {
  for (int signo : {SIGINT, SIGTERM}) {
    CAPTURE(signo);
    Reactor reactor;  // holds the signal: raise() leaves it pending, not fatal
    int turns = 0;
    auto end = reactor.run([&]() -> tcphs::core::Result<Turn> {
      if (++turns == 1) ::raise(signo);
      return Turn{false, std::nullopt};
    });
    REQUIRE(end);
    CHECK(end->signal == signo);
    CHECK(turns == 1);
  }
}
