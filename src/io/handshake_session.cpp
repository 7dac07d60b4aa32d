#include "tcphs/io/handshake_session.hpp"

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "tcphs/io/loop_common.hpp"
#include "tcphs/io/sockaddr.hpp"
#include "tcphs/io/stop_event.hpp"
#include "tcphs/io/system.hpp"
#include "tcphs/io/tcp_info.hpp"
#include "tcphs/io/unique_fd.hpp"

namespace tcphs::io {
namespace {

using namespace std::chrono_literals;

std::string flow_filter(const core::FlowKey& f) {
  const bool v4 = f.local.family == core::Family::ipv4;
  return fmt::format("(tcp and src host {0} and dst host {1} and src port {2} and dst port {3}) or "
                     "(tcp and src host {1} and dst host {0} and src port {3} and dst port {2}) or "
                     "({4} and dst host {0})",
                     f.local.to_string(), f.remote.to_string(), f.local_port, f.remote_port, v4 ? "icmp" : "icmp6");
}

/// The socket, the capture and the signals, waited on together: every wake
/// drains the capture into the run's frames; a signal ends the wait.
class Session {
 public:
  Session(HandshakeRun& run, std::unique_ptr<Capture> capture, int fd, const SignalBlock& signals)
      : run_(run), capture_(std::move(capture)), fd_(fd), signals_(signals) {}

  /// Where the exchange is, for the run's `phase` should a signal come.
  void phase(HandshakePhase p) { phase_ = p; }
  bool interrupted() const { return run_.signal != 0; }

  void drain() {
    if (!capture_) return;
    const auto got = capture_->drain([this](const CapturedFrame& f) {
      run_.frames.push_back({{f.ip.begin(), f.ip.end()}, f.stamp});
    });
    if (got && *got > 0) last_frame_ = now();
  }

  /// Waits for `events` on the socket (0: only the deadline) until `deadline`
  /// or a signal. True when the events came.
  bool wait(short events, core::Instant deadline) {
    for (;;) {
      // With no events asked the socket stays out of the set: its POLLHUP
      // (or POLLNVAL once closed) would wake poll() at once, again and again.
      std::array<pollfd, 3> fds{pollfd{events ? fd_ : -1, events, 0},
                                pollfd{capture_ ? capture_->fd() : -1, POLLIN, 0},
                                pollfd{signals_.fd(), POLLIN, 0}};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now());
      const int ms = static_cast<int>(std::clamp<std::int64_t>(left.count() + 1, 0, 1000));
      const int rc = poll(fds.data(), fds.size(), ms);
      drain();
      if (rc > 0 && (fds[2].revents & POLLIN) && take_signal()) return false;
      if (rc > 0 && events && (fds[0].revents & (events | POLLERR | POLLHUP))) return true;
      if (now() >= deadline) return false;
    }
  }

  /// Reads and discards what the server sent; true once it closed (EOF or error).
  bool read_all() {
    std::array<char, 4096> buf{};
    for (;;) {
      const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
      if (n > 0) {
        run_.bytes_received += static_cast<std::uint64_t>(n);
        continue;
      }
      if (n == 0) return true;
      return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
    }
  }

  /// Waits for the server's FIN until `deadline`.
  bool wait_peer_close(core::Instant deadline) {
    while (wait(POLLIN, deadline))
      if (read_all()) return true;
    return false;
  }

  /// Drains until the capture has been quiet for 150 ms (at most 1 s), or
  /// until a signal comes meanwhile.
  void settle() {
    if (!capture_) return;
    const auto limit = now() + 1s;
    const int taken = taken_;
    last_frame_ = now();
    while (now() < limit && now() - last_frame_ < 150ms && taken_ == taken)
      wait(0, std::min(limit, last_frame_ + 150ms));
    drain();
    if (capture_) run_.capture_stats = capture_->stats();
  }

  void note(const char* when) {
    if (const auto info = tcp_info_of(fd_)) run_.states.push_back({when, linux_tcp_state(info->tcpi_state)});
  }

 private:
  /// Reads one signal; the first sets the run's `signal` and `phase`.
  bool take_signal() {
    const int signal = signals_.take();
    if (!signal) return false;
    ++taken_;
    if (!run_.signal) {
      run_.signal = signal;
      run_.phase = phase_;
    }
    return true;
  }

  HandshakeRun& run_;
  std::unique_ptr<Capture> capture_;
  int fd_;
  const SignalBlock& signals_;
  HandshakePhase phase_ = HandshakePhase::connect;
  int taken_ = 0;  ///< signals read so far
  core::Instant last_frame_{};
};

}  // namespace

core::Result<HandshakeRun> run_handshake_session(const HandshakeRequest& r) {
  // First, so a signal from here on waits for the session to see it.
  SignalBlock signals;
  if (signals.fd() < 0) return sys_error("signalfd");
  HandshakeRun run;
  const int family = r.dst.family == core::Family::ipv4 ? AF_INET : AF_INET6;
  UniqueFd fd(socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return sys_error("socket");
  const int syncnt = std::clamp(r.syn_retries, 1, 127);
  setsockopt(fd.get(), IPPROTO_TCP, TCP_SYNCNT, &syncnt, sizeof syncnt);
  if (r.ttl) {
    const int ttl = *r.ttl;
    if (family == AF_INET) setsockopt(fd.get(), IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
    else setsockopt(fd.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
  }
  if (r.tos) {
    const int tos = *r.tos;
    if (family == AF_INET) setsockopt(fd.get(), IPPROTO_IP, IP_TOS, &tos, sizeof tos);
    else setsockopt(fd.get(), IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos);
  }
  if (r.bind_device && setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, r.bind_device->c_str(),
                                  static_cast<socklen_t>(r.bind_device->size())) != 0)
    return core::usage_error(fmt::format("cannot use interface '{}': {}", *r.bind_device, std::strerror(errno)));
  if (r.source_port) {
    const int on = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  }
  sockaddr_storage local{};
  const socklen_t local_len = to_sockaddr(r.source, r.source_port, local);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&local), local_len) != 0)
    return core::usage_error(fmt::format("cannot bind {} port {}: {}", r.source.to_string(), r.source_port,
                                         std::strerror(errno)));
  socklen_t len = sizeof local;
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &len);
  const auto bound = from_sockaddr(reinterpret_cast<const sockaddr*>(&local));
  if (!bound) return core::Error{core::ErrorKind::internal, "getsockname gave no address"};
  run.flow = core::FlowKey{bound->first, r.dst, bound->second, r.port};

  std::unique_ptr<Capture> capture;
  if (r.capture) {
    CaptureConfig config;
    config.interface = r.capture_interface;
    config.filter = flow_filter(run.flow);
    TCPHS_TRY(opened, open_capture(config));
    capture = std::move(opened);
    run.captured = true;
    TCPHS_TRY(dropped, drop_all_capabilities());
    (void)dropped;
  }
  Session session(run, std::move(capture), fd.get(), signals);

  sockaddr_storage remote{};
  const socklen_t remote_len = to_sockaddr(r.dst, r.port, remote);
  const auto t0 = now();
  int err = 0;
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&remote), remote_len) != 0) err = errno;
  // At once, before any packet could answer: this host's own firewall.
  if (err == EPERM || err == EACCES)
    return core::Error{core::ErrorKind::local_firewall,
                       fmt::format("connecting to {} was refused by a local firewall ({})", r.dst.to_string(),
                                   strerrorname_np(err))};
  if (err == EINPROGRESS) {
    if (session.wait(POLLOUT, t0 + r.timeout)) {
      socklen_t l = sizeof err;
      getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &l);
    } else if (!session.interrupted()) {
      err = ETIMEDOUT;
    }
  }
  run.connect_time = now() - t0;
  run.connect_errno = err;
  if (const auto info = tcp_info_of(fd.get()); info && err == 0) run.info = facts_of(*info);
  if (err != 0) {
    // Abort whatever the kernel still tries (SYN resends after our deadline
    // or the signal).
    const linger lg{1, 0};
    setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    fd.reset();
    session.settle();
    return run;
  }
  session.note("after connect");

  if (!r.payload.empty() && !session.interrupted()) {
    session.phase(HandshakePhase::send);
    const auto s0 = now();
    std::size_t sent = 0;
    while (sent < r.payload.size()) {
      const ssize_t n = send(fd.get(), r.payload.data() + sent, r.payload.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EAGAIN) {
        if (!session.wait(POLLOUT, s0 + r.timeout)) break;
      } else {
        break;
      }
    }
    run.send_time = now() - s0;
  }
  // Hold: read what comes, notice an early close by the server.
  session.phase(HandshakePhase::hold);
  const auto hold_end = now() + r.hold;
  while (!run.peer_closed && !session.interrupted() && session.wait(POLLIN, hold_end))
    run.peer_closed = session.read_all();

  const auto c0 = now();
  session.phase(HandshakePhase::close);
  // Interrupted: no wait for the server; close() below sends our FIN and
  // the kernel does the rest.
  if (!session.interrupted() && r.close == CloseBy::client) {
    shutdown(fd.get(), SHUT_WR);
    session.note("after shutdown");
    if (!run.peer_closed) run.peer_closed = session.wait_peer_close(now() + r.timeout);
  } else if (!session.interrupted()) {
    if (!run.peer_closed) run.peer_closed = session.wait_peer_close(now() + r.timeout);
    if (!session.interrupted())
      session.note(run.peer_closed ? "after the server's FIN" : "when the wait for the server's FIN ended");
  }
  if (session.interrupted()) session.note("when interrupted");
  fd.reset();
  run.close_time = now() - c0;
  session.settle();
  TCPHS_TRY(diag, find_tcp_socket(run.flow));
  run.after_close = diag;
  return run;
}

}  // namespace tcphs::io
