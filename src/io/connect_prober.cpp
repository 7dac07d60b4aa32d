#include "tcphs/io/connect_prober.hpp"

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "tcphs/io/sockaddr.hpp"
#include "tcphs/io/system.hpp"
#include "tcphs/io/tcp_info.hpp"
#include "tcphs/io/unique_fd.hpp"

namespace tcphs::io {
namespace {

using core::Family;

struct InFlight {
  std::size_t index = 0;
  UniqueFd fd;
  core::Instant started;
  core::Instant deadline;
};

/// Errnos from connect() that are the network's answer (or a local routing
/// or firewall verdict about this target), as opposed to a local failure.
bool is_verdict(int err) {
  switch (err) {
    case ECONNREFUSED:
    case ETIMEDOUT:
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EHOSTDOWN:
    case ENONET:
    case EACCES:
    case EPERM:
    case ECONNRESET:
    case EPROTO:
      return true;
    default:
      return false;
  }
}

std::string endpoint(const core::IpAddress& ip, std::uint16_t port) {
  return ip.family == Family::ipv6 ? fmt::format("[{}]:{}", ip.to_string(), port)
                                   : fmt::format("{}:{}", ip.to_string(), port);
}

/// A local failure: the errno for `errno_value` and the error to report.
struct Failure {
  int err;
  core::Error error;
};

Failure sys_failure(int err, const std::string& what) {
  return {err, core::io_error(fmt::format("{}: {}", what, std::strerror(err)))};
}

std::optional<Failure> set_int(int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof value) == 0) return std::nullopt;
  return sys_failure(errno, fmt::format("cannot set {}", what));
}

std::optional<Failure> bind_source(int fd, const ConnectRequest& r, std::uint32_t ifindex) {
  core::IpAddress any;
  any.family = r.dst.family;
  const core::IpAddress& src = r.source ? *r.source : any;
  const auto set = r.source_port != 0
                       ? set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")
                       : set_int(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1, "IP_BIND_ADDRESS_NO_PORT");
  if (set) return set;
  sockaddr_storage sa{};
  const socklen_t len = to_sockaddr(src, r.source_port, sa, is_link_local_v6(src) ? ifindex : 0);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&sa), len) == 0) return std::nullopt;
  const int err = errno;
  if (err == EADDRNOTAVAIL)
    return Failure{err, core::usage_error(fmt::format("source address {} is not an address of this host",
                                                      src.to_string()))};
  if (err == EADDRINUSE)
    return Failure{err, core::io_error(fmt::format("source port {} is in use", r.source_port))};
  return sys_failure(err, fmt::format("cannot bind to {}", endpoint(src, r.source_port)));
}

/// Applies the request's interface, TTL and source to a fresh socket.
std::optional<Failure> configure(int fd, const ConnectRequest& r, std::uint32_t ifindex) {
  // SO_LINGER 0: see the header; also harmless for sockets that never connect.
  const linger abort_on_close{1, 0};
  if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close) != 0)
    return sys_failure(errno, "cannot set SO_LINGER");
  if (r.interface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, r.interface->c_str(),
                                static_cast<socklen_t>(r.interface->size())) != 0)
    return sys_failure(errno, fmt::format("cannot bind a socket to {}", *r.interface));
  if (r.ttl) {
    const bool v4 = r.dst.family == Family::ipv4;
    if (auto set = set_int(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_TTL : IPV6_UNICAST_HOPS, *r.ttl,
                           v4 ? "IP_TTL" : "IPV6_UNICAST_HOPS"))
      return set;
  }
  if (r.source || r.source_port != 0) return bind_source(fd, r, ifindex);
  return std::nullopt;
}

/// Fills what TCP_INFO knows. The negotiated details only mean something on
/// a connected socket; the resend count is useful either way.
void read_tcp_info(int fd, ConnectResult& out) {
  const auto info = tcp_info_of(fd);
  if (!info) return;
  const TcpInfoFacts f = facts_of(*info);
  out.retransmits = f.total_retrans;
  if (out.errno_value != 0) return;
  out.rtt_us = f.rtt_us;
  out.mss = static_cast<std::uint16_t>(std::min<std::uint32_t>(f.snd_mss, 65535));
  out.snd_wscale = f.snd_wscale;
  out.rcv_wscale = f.rcv_wscale;
  out.sack = f.sack;
  out.timestamps = f.timestamps;
  out.ecn = f.ecn;
}

void finish(InFlight& f, int err, core::Instant at, ConnectResult& out) {
  out.errno_value = err;
  out.elapsed = at - f.started;
  read_tcp_info(f.fd.get(), out);
  f.fd.reset();  // also leaves the epoll set: the descriptor is not shared
}

void fail(ConnectResult& out, Failure failure) {
  out.errno_value = failure.err;
  out.error = std::move(failure.error);
}

/// Starts request `index`. Returns the in-flight entry, or nothing when
/// `out` is already complete (connect() gave the verdict, or a local failure).
std::optional<InFlight> start(const ConnectRequest& r, std::size_t index, int epoll_fd, ConnectResult& out) {
  std::uint32_t ifindex = 0;
  if (r.interface) {
    ifindex = if_nametoindex(r.interface->c_str());
    if (ifindex == 0) {
      fail(out, {ENODEV, core::usage_error(fmt::format("unknown interface '{}'", *r.interface))});
      return std::nullopt;
    }
  }
  InFlight f{index,
             UniqueFd(socket(r.dst.family == Family::ipv4 ? AF_INET : AF_INET6,
                             SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP)),
             {},
             {}};
  if (!f.fd.valid()) {
    fail(out, sys_failure(errno, "cannot open a TCP socket"));
    return std::nullopt;
  }
  if (auto failure = configure(f.fd.get(), r, ifindex)) {
    fail(out, std::move(*failure));
    return std::nullopt;
  }
  sockaddr_storage sa{};
  const socklen_t len = to_sockaddr(r.dst, r.port, sa, is_link_local_v6(r.dst) ? ifindex : 0);
  f.started = now();
  f.deadline = f.started + r.timeout;
  const int rc = connect(f.fd.get(), reinterpret_cast<const sockaddr*>(&sa), len);
  const int err = rc == 0 ? 0 : errno;
  if (err != 0 && err != EINPROGRESS && !is_verdict(err)) {
    fail(out, sys_failure(err, fmt::format("connect to {} failed", endpoint(r.dst, r.port))));
    return std::nullopt;
  }

  sockaddr_storage me{};
  socklen_t me_len = sizeof me;
  if (getsockname(f.fd.get(), reinterpret_cast<sockaddr*>(&me), &me_len) == 0) {
    if (const auto local = from_sockaddr(reinterpret_cast<const sockaddr*>(&me))) {
      out.local = local->first;
      out.local_port = local->second;
    }
  }
  if (err != EINPROGRESS) {
    finish(f, err, now(), out);
    return std::nullopt;
  }
  epoll_event ev{};
  ev.events = EPOLLOUT;  // EPOLLERR and EPOLLHUP are always reported
  ev.data.u64 = index;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, f.fd.get(), &ev) != 0) {
    fail(out, sys_failure(errno, "epoll_ctl"));
    return std::nullopt;
  }
  return f;
}

int so_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

/// Milliseconds until the earliest deadline, rounded up so epoll_wait does
/// not wake a fraction of a millisecond early and spin.
int wait_ms(const std::vector<InFlight>& flying, core::Instant t) {
  const auto earliest = std::min_element(flying.begin(), flying.end(), [](const auto& a, const auto& b) {
                          return a.deadline < b.deadline;
                        })->deadline;
  if (earliest <= t) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(earliest - t).count();
  return static_cast<int>(std::min<long long>(ms, 60'000));
}

}  // namespace

std::vector<ConnectResult> run_connects(std::span<const ConnectRequest> requests, std::size_t parallel,
                                        int stop_fd) {
  std::vector<ConnectResult> results(requests.size());
  parallel = std::max<std::size_t>(parallel, 1);
  UniqueFd epoll_fd(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_fd.valid()) {
    const Failure failure = sys_failure(errno, "epoll_create1");
    for (auto& r : results) fail(r, failure);
    return results;
  }
  constexpr std::uint64_t stop_tag = UINT64_MAX;  // epoll data of stop_fd; indexes are smaller
  if (stop_fd >= 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = stop_tag;
    epoll_ctl(epoll_fd.get(), EPOLL_CTL_ADD, stop_fd, &ev);
  }

  std::vector<InFlight> flying;
  std::size_t next = 0;
  while (next < requests.size() || !flying.empty()) {
    while (next < requests.size() && flying.size() < parallel) {
      if (auto started = start(requests[next], next, epoll_fd.get(), results[next]))
        flying.push_back(std::move(*started));
      ++next;
    }
    if (flying.empty()) continue;

    std::array<epoll_event, 64> events{};
    const int n =
        epoll_wait(epoll_fd.get(), events.data(), static_cast<int>(events.size()), wait_ms(flying, now()));
    if (n < 0 && errno != EINTR) {
      // Cannot happen with a valid epoll descriptor and buffer; if it does,
      // no verdict can be waited for.
      const Failure failure = sys_failure(errno, "epoll_wait");
      for (auto& f : flying) fail(results[f.index], failure);
      for (; next < requests.size(); ++next) fail(results[next], failure);
      break;
    }
    const core::Instant t = now();
    for (int i = 0; i < n; ++i) {
      if (events[static_cast<std::size_t>(i)].data.u64 == stop_tag) {
        for (auto& f : flying)
          if (f.fd.valid()) results[f.index].interrupted = true;  // and their sockets close
        for (; next < requests.size(); ++next) results[next].interrupted = true;
        return results;
      }
      const auto index = static_cast<std::size_t>(events[static_cast<std::size_t>(i)].data.u64);
      const auto it =
          std::find_if(flying.begin(), flying.end(), [&](const auto& f) { return f.index == index; });
      if (it == flying.end()) continue;
      finish(*it, so_error(it->fd.get()), t, results[index]);
    }
    for (auto& f : flying)
      if (f.fd.valid() && f.deadline <= t) finish(f, ETIMEDOUT, t, results[f.index]);
    std::erase_if(flying, [](const InFlight& f) { return !f.fd.valid(); });
  }
  return results;
}

}  // namespace tcphs::io
