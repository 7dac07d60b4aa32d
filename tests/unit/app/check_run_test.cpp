#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tcphs/app/check_run.hpp"
#include "tcphs/io/unique_fd.hpp"

using namespace tcphs;
using namespace std::chrono_literals;

namespace {

/// A TCP socket on 127.0.0.1 with a kernel-chosen port: listening (open),
/// or only bound (refused, and no one else takes the port).
struct LocalPort {
  io::UniqueFd fd;
  std::uint16_t port = 0;

  explicit LocalPort(bool listening) : fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    if (listening) REQUIRE(listen(fd.get(), 64) == 0);
    socklen_t len = sizeof a;
    REQUIRE(getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port = ntohs(a.sin_port);
  }
};

app::CheckRow row(std::uint16_t port, core::ProbeMode mode, std::uint32_t count) {
  app::CheckRow r;
  r.target = "127.0.0.1:" + std::to_string(port);
  r.name = r.target;
  r.resolved = app::TargetInfo{r.target, *core::IpAddress::parse("127.0.0.1"), port};
  r.mode = mode;
  r.count = count;
  r.timing.rto = 200ms;
  r.timing.retries = 1;
  return r;
}

/// Every row got `count` results, numbered 1..count, all `want`.
void expect_all(const app::CheckRow& r, core::Outcome want) {
  CAPTURE(r.target);
  CHECK_FALSE(r.error.has_value());
  REQUIRE(r.results.size() == r.count);
  for (std::uint32_t n = 0; n < r.count; ++n) {
    CHECK(r.results[n].number == n + 1);
    CHECK(r.results[n].outcome == want);
  }
}

app::CheckRunConfig quick_config() {
  app::CheckRunConfig cfg;
  cfg.interval = 10ms;
  return cfg;
}

}  // namespace

/// run_checks runs the connect-mode checks on a thread of their own; under
/// ThreadSanitizer (build-tsan) these are the tests a race there fails.
TEST_CASE("app::run_checks: connect checks on their own thread (loopback)") {
  LocalPort open(true), closed(false);
  std::vector<app::CheckRow> rows;
  for (int i = 0; i < 4; ++i) {
    rows.push_back(row(open.port, core::ProbeMode::connect, 3));
    rows.push_back(row(closed.port, core::ProbeMode::connect, 3));
  }
  const auto end = app::run_checks(rows, quick_config());
  REQUIRE(end.ok());
  CHECK(*end == 0);
  for (std::size_t i = 0; i < rows.size(); ++i)
    expect_all(rows[i], i % 2 == 0 ? core::Outcome::open : core::Outcome::refused);
}

TEST_CASE("app::run_checks: raw and connect checks at the same time (loopback, root)") {
  if (geteuid() != 0) {
    MESSAGE("skipped: raw checks need root");
    return;
  }
  LocalPort open(true), closed(false);
  std::vector<app::CheckRow> rows;
  for (auto mode : {core::ProbeMode::raw, core::ProbeMode::connect}) {
    rows.push_back(row(open.port, mode, 5));
    rows.push_back(row(closed.port, mode, 5));
  }
  // On a thread of its own: the raw session drops the capabilities of the
  // thread that opens it (and of the connect thread it starts), and the
  // other tests in this process keep theirs.
  std::optional<core::Result<int>> end;
  std::thread runner([&] { end = app::run_checks(rows, quick_config()); });
  runner.join();
  REQUIRE(end.has_value());
  REQUIRE(end->ok());
  CHECK(**end == 0);
  for (std::size_t i = 0; i < rows.size(); ++i)
    expect_all(rows[i], i % 2 == 0 ? core::Outcome::open : core::Outcome::refused);
}
