#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <thread>

#include "lab_support.hpp"
#include "tcphs/io/capture.hpp"
#include "tcphs/io/connect_prober.hpp"
#include "tcphs/io/stop_event.hpp"
#include "tcphs/io/unique_fd.hpp"

using namespace tcphs;
using namespace std::chrono_literals;

namespace {

core::IpAddress loopback() { return *core::IpAddress::parse("127.0.0.1"); }

/// A TCP socket on 127.0.0.1 with a kernel-chosen port; listening when
/// `backlog` is given, else only bound (so nothing else takes the port and
/// connecting to it is refused).
struct LocalPort {
  io::UniqueFd fd;
  std::uint16_t port = 0;

  explicit LocalPort(std::optional<int> backlog) : fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    if (backlog) REQUIRE(listen(fd.get(), *backlog) == 0);
    socklen_t len = sizeof a;
    REQUIRE(getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port = ntohs(a.sin_port);
  }
};

io::ConnectRequest request(std::uint16_t port, core::Duration timeout = 2s) {
  io::ConnectRequest r;
  r.dst = loopback();
  r.port = port;
  r.timeout = timeout;
  return r;
}

int sysctl(const char* name) {
  std::ifstream in(std::string("/proc/sys/net/ipv4/") + name);
  int v = -1;
  in >> v;
  return v;
}

}  // namespace

TEST_CASE("io::run_connects") {
  LocalPort open_port(64);
  LocalPort closed_port(std::nullopt);

  SUBCASE("open and refused, results in input order") {
    const std::vector reqs{request(open_port.port), request(closed_port.port), request(open_port.port)};
    const auto r = io::run_connects(reqs, 2);
    REQUIRE(r.size() == 3);
    const auto& open = r[0];
    CHECK(open.errno_value == 0);
    CHECK_FALSE(open.error.has_value());
    CHECK_FALSE(r[1].error.has_value());
    CHECK(r[1].errno_value == ECONNREFUSED);
    CHECK(r[2].errno_value == 0);
    CHECK(open.local == loopback());
    CHECK(open.local_port != 0);
    CHECK(open.local_port != r[2].local_port);
    REQUIRE(open.rtt_us.has_value());
    CHECK(*open.rtt_us < 1'000'000);
    REQUIRE(open.mss.has_value());
    CHECK(*open.mss > 536);
    CHECK(open.sack == (sysctl("tcp_sack") == 1));
    CHECK(open.timestamps == (sysctl("tcp_timestamps") == 1));
    CHECK(open.snd_wscale.has_value() == (sysctl("tcp_window_scaling") == 1));
    CHECK(open.retransmits == 0);
    CHECK_FALSE(r[1].rtt_us.has_value());
  }

  SUBCASE("a completed handshake is closed with an RST") {
    const auto r = io::run_connects(std::vector{request(open_port.port)}, 1);
    REQUIRE(r[0].errno_value == 0);
    io::UniqueFd server(accept(open_port.fd.get(), nullptr, nullptr));
    REQUIRE(server.valid());
    pollfd pfd{server.get(), POLLIN, 0};
    REQUIRE(poll(&pfd, 1, 2000) == 1);
    char byte = 0;
    CHECK(read(server.get(), &byte, 1) == -1);
    CHECK(errno == ECONNRESET);
  }

  SUBCASE("many requests through a narrow window") {
    std::vector<io::ConnectRequest> reqs;
    for (int i = 0; i < 20; ++i) reqs.push_back(request(i % 2 ? closed_port.port : open_port.port));
    const auto r = io::run_connects(reqs, 3);
    REQUIRE(r.size() == reqs.size());
    for (std::size_t i = 0; i < reqs.size(); ++i) {
      CAPTURE(i);
      CHECK(r[i].errno_value == (i % 2 ? ECONNREFUSED : 0));
    }
  }

  SUBCASE("an empty list") {
    const auto r = io::run_connects({}, 4);
    CHECK(r.empty());
  }

  SUBCASE("a source address and port") {
    LocalPort spare(std::nullopt);  // a free port, released for the probe to bind
    const std::uint16_t sport = spare.port;
    spare.fd.reset();
    auto req = request(open_port.port);
    req.source = loopback();
    req.source_port = sport;
    req.ttl = 5;
    const auto r = io::run_connects(std::vector{req}, 1);
    CHECK(r[0].errno_value == 0);
    CHECK(r[0].local_port == sport);
  }

  SUBCASE("a local failure marks only its own request") {
    auto bad_if = request(open_port.port);
    bad_if.interface = "tcphs-nosuch0";
    auto bad_src = request(open_port.port);
    bad_src.source = core::IpAddress::parse("198.51.100.7");
    const auto r = io::run_connects(std::vector{bad_if, bad_src, request(open_port.port)}, 3);
    REQUIRE(r.size() == 3);
    REQUIRE(r[0].error.has_value());
    CHECK(r[0].error->kind == core::ErrorKind::usage);
    CHECK(r[0].error->message == "unknown interface 'tcphs-nosuch0'");
    CHECK(r[0].errno_value == ENODEV);
    REQUIRE(r[1].error.has_value());
    CHECK(r[1].error->kind == core::ErrorKind::usage);
    CHECK(r[1].error->message == "source address 198.51.100.7 is not an address of this host");
    CHECK(r[1].errno_value == EADDRNOTAVAIL);
    CHECK_FALSE(r[2].error.has_value());
    CHECK(r[2].errno_value == 0);
  }
}

TEST_CASE("io::run_connects timeout") {
  // A listener whose accept queue is full drops further SYNs (the
  // tcp_conn_request overflow path), so those connects never complete.
  LocalPort full(0);
  io::UniqueFd filler(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(full.port);
  REQUIRE(connect(filler.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);

  SUBCASE("the deadline passes before the first resend") {
    const auto started = std::chrono::steady_clock::now();
    const auto r = io::run_connects(std::vector{request(full.port, 300ms)}, 1);
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(r[0].errno_value == ETIMEDOUT);
    CHECK(r[0].elapsed >= 300ms);
    CHECK(took >= 300ms);
    CHECK(took < 900ms);  // well before the kernel's 1 s resend
    CHECK(r[0].retransmits == 0);
  }
  SUBCASE("a raised stop ends the run before the deadline: no verdict, interrupted") {
    io::StopEvent stop;
    std::thread raiser([&] {
      std::this_thread::sleep_for(100ms);  // not synchronisation: the run must end on it, whenever it comes
      stop.raise();
    });
    const auto started = std::chrono::steady_clock::now();
    const auto r = io::run_connects(std::vector{request(full.port, 5s), request(full.port, 5s)}, 1, stop.fd());
    const auto took = std::chrono::steady_clock::now() - started;
    raiser.join();
    REQUIRE(r.size() == 2);
    CHECK(r[0].interrupted);  // in flight
    CHECK(r[1].interrupted);  // never started (parallel 1)
    CHECK(took >= 100ms);
    CHECK(took < 4s);
  }
  SUBCASE("the kernel resends the SYN after its 1 s initial RTO") {
    const auto r = io::run_connects(std::vector{request(full.port, 1500ms)}, 1);
    CHECK(r[0].errno_value == ETIMEDOUT);
    CHECK(r[0].retransmits == 1);
  }
}

TEST_CASE("io::run_connects (lab)" * doctest::skip()) {
  using test::lab::ip;
  auto req = [](const char* dst, std::uint16_t port) {
    io::ConnectRequest r;
    r.dst = ip(dst);
    r.port = port;
    r.timeout = 2s;
    return r;
  };
  SUBCASE("refused through a gateway; admin-prohibited as the header says") {
    const std::vector reqs{req("10.78.9.9", 9), req("fd00:78:9::9", 9), req("10.78.1.2", 10),
                           req("fd00:78:1::2", 10)};
    const auto r = io::run_connects(reqs, 4);
    CHECK(r[0].errno_value == ECONNREFUSED);
    CHECK(r[0].local == ip("10.78.1.1"));
    CHECK(r[1].errno_value == ECONNREFUSED);
    CHECK(r[2].errno_value == EHOSTUNREACH);  // ICMP 3/13
    CHECK(r[3].errno_value == EACCES);        // ICMPv6 1/1
  }
  SUBCASE("TTL / hop limit and interface reach the wire") {
    auto capture = io::open_capture({.interface = "tio0", .filter = "tcp[tcpflags] & tcp-syn != 0 or ip6"});
    REQUIRE(capture.ok());
    auto v4 = req("10.78.1.2", 9);
    v4.ttl = 3;
    v4.interface = "tio0";
    auto v6 = req("fd00:78:1::2", 9);
    v6.ttl = 4;
    const auto r = io::run_connects(std::vector{v4, v6}, 2);
    const auto frames = test::lab::collect(**capture, [](const auto& got) {
      return test::lab::count(got, ip("10.78.1.1"), test::lab::syn) >= 1 &&
             test::lab::count(got, ip("fd00:78:1::1"), test::lab::syn) >= 1;
    });
    for (const auto& f : frames) {
      if (!f.is_tcp() || f.flags() != test::lab::syn) continue;
      CHECK(f.ttl() == (f.v6() ? 4 : 3));
    }
    CHECK(test::lab::count(frames, ip("10.78.1.1"), test::lab::syn) == 1);
  }
}
