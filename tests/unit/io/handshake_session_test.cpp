#include "tcphs/io/handshake_session.hpp"

#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "tcphs/io/sock_diag.hpp"
#include "tcphs/io/unique_fd.hpp"

using namespace tcphs;
using namespace std::chrono_literals;

namespace {

/// A listening (or only bound) socket on 127.0.0.1, kernel-chosen port.
struct Listener {
  io::UniqueFd fd{socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  std::uint16_t port = 0;
  explicit Listener(bool listening) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    if (listening) REQUIRE(listen(fd.get(), 4) == 0);
    socklen_t len = sizeof a;
    REQUIRE(getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port = ntohs(a.sin_port);
  }
};

io::HandshakeRequest loopback_request(std::uint16_t port) {
  io::HandshakeRequest r;
  r.dst = *core::IpAddress::parse("127.0.0.1");
  r.source = r.dst;
  r.port = port;
  r.capture = false;  // no privilege needed: the kernel facts only
  r.timeout = 5s;
  return r;
}

}  // namespace

TEST_CASE("io::run_handshake_session on loopback, without capture") {
  SUBCASE("client close: the kernel shows our socket in TIME_WAIT with its timer") {
    Listener l(true);
    std::thread server([&] {
      io::UniqueFd c(accept(l.fd.get(), nullptr, nullptr));
      char buf[64];
      while (c.valid() && recv(c.get(), buf, sizeof buf, 0) > 0) {
      }
    });  // closes once it read our FIN
    auto r = loopback_request(l.port);
    r.payload = "hello\n";
    const auto run = io::run_handshake_session(r);
    server.join();
    REQUIRE(run.ok());
    CHECK(run->connect_errno == 0);
    CHECK_FALSE(run->captured);
    CHECK(run->frames.empty());
    CHECK(run->peer_closed);
    REQUIRE(run->info.has_value());
    CHECK(run->info->snd_mss > 0);
    REQUIRE(run->states.size() == 2);
    CHECK(run->states[0].when == "after connect");
    CHECK(run->states[0].state == core::TcpState::established);
    CHECK(run->flow.remote_port == l.port);
    REQUIRE(run->after_close.has_value());
    CHECK(run->after_close->state == core::TcpState::time_wait);
    CHECK(run->after_close->expires_ms > 50'000);
    CHECK(run->after_close->expires_ms <= 60'000);
  }
  SUBCASE("server close: what the server sent is read, its FIN ends the wait") {
    Listener l(true);
    std::thread server([&] {
      io::UniqueFd c(accept(l.fd.get(), nullptr, nullptr));
      if (c.valid()) send(c.get(), "bye\n", 4, MSG_NOSIGNAL);
    });
    auto r = loopback_request(l.port);
    r.close = io::CloseBy::server;
    const auto run = io::run_handshake_session(r);
    server.join();
    REQUIRE(run.ok());
    CHECK(run->peer_closed);
    CHECK(run->bytes_received == 4);
    REQUIRE(run->states.size() == 2);
    CHECK(run->states[1].state == core::TcpState::close_wait);
  }
  SUBCASE("refused") {
    Listener l(false);
    const auto run = io::run_handshake_session(loopback_request(l.port));
    REQUIRE(run.ok());
    CHECK(run->connect_errno == ECONNREFUSED);
    CHECK_FALSE(run->info.has_value());
    CHECK(run->states.empty());
  }
}

TEST_CASE("io::run_handshake_session stops at a signal: the run so far, the signal and where it came") {
  // Blocked first, so the server thread inherits the block and the signal
  // can only end up on the session's signalfd, not kill the test.
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  REQUIRE(pthread_sigmask(SIG_BLOCK, &set, &old) == 0);
  Listener l(true);
  std::thread server([&] {
    io::UniqueFd c(accept(l.fd.get(), nullptr, nullptr));
    char buf[64];
    // Our payload arrived: the client is past connect() and its send, so
    // the signal is read in --hold.
    if (c.valid() && recv(c.get(), buf, sizeof buf, 0) > 0) kill(getpid(), SIGTERM);
    while (c.valid() && recv(c.get(), buf, sizeof buf, 0) > 0) {
    }
  });
  auto r = loopback_request(l.port);
  r.payload = "x";
  r.hold = 30s;
  const auto t0 = std::chrono::steady_clock::now();
  const auto run = io::run_handshake_session(r);
  const auto took = std::chrono::steady_clock::now() - t0;
  server.join();
  sigset_t pending;
  sigpending(&pending);
  const bool left_pending = sigismember(&pending, SIGTERM) == 1;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  CHECK_FALSE(left_pending);  // taken by the session, not left to kill the process later
  REQUIRE(run.ok());
  CHECK(run->signal == SIGTERM);
  CHECK(run->phase == io::HandshakePhase::hold);
  CHECK(run->connect_errno == 0);
  CHECK(took < 5s);  // not the 30 s hold, nor the wait for the server's FIN
  REQUIRE(run->states.size() == 2);
  CHECK(run->states[1].when == "when interrupted");
  CHECK(run->states[1].state == core::TcpState::established);
}

TEST_CASE("io::find_tcp_socket and the kernel's state numbers") {
  CHECK(io::linux_tcp_state(1) == core::TcpState::established);
  CHECK(io::linux_tcp_state(6) == core::TcpState::time_wait);
  CHECK(io::linux_tcp_state(9) == core::TcpState::last_ack);
  CHECK(io::linux_tcp_state(12) == core::TcpState::syn_received);
  CHECK(io::linux_tcp_state(99) == core::TcpState::closed);
  Listener l(true);
  const core::FlowKey listening{*core::IpAddress::parse("127.0.0.1"), *core::IpAddress::parse("0.0.0.0"), l.port, 0};
  const auto found = io::find_tcp_socket(listening);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->state == core::TcpState::listen);
  const core::FlowKey nobody{*core::IpAddress::parse("127.0.0.1"), *core::IpAddress::parse("127.0.0.9"), 1, 2};
  const auto none = io::find_tcp_socket(nobody);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
}
