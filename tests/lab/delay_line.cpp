/// tcphs_delay_line: a fixed-delay line for the namespace lab.
///
/// The lab kernel has neither netem nor the nftables `queue` expression, so
/// router1 hands the packets of the delay port to NFQUEUE through the xtables
/// NFQUEUE target (iptables-nft). This program takes every queued packet and
/// gives it the ACCEPT verdict once `--delay-us` has passed since it arrived.
/// The delay is constant, so packets leave in arrival order (FIFO) and one
/// absolute timerfd, armed for the oldest packet, drives the whole loop; the
/// process sleeps in poll() between events.
///
/// Usage: tcphs_delay_line --queue N --delay-us D
/// Prints "ready" on stdout once the queue is bound (the lab waits for that
/// line before it adds the rule). SIGTERM/SIGINT accept what is still queued
/// and exit 0.

// glibc's <arpa/inet.h> must come before the kernel headers, or <linux/in.h>
// redefines its structures.
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include <libnetfilter_queue/libnetfilter_queue.h>

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

namespace {

struct Options {
  std::uint16_t queue_num = 0;
  std::int64_t delay_ns = 0;
};

struct Pending {
  std::uint32_t id;
  std::int64_t due_ns;
};

constexpr std::int64_t ns_per_s = 1'000'000'000;
/// The kernel drops packets beyond this many waiting for a verdict, as a full
/// router buffer would.
constexpr std::uint32_t queue_max_len = 4096;

void fail(const char* what) { std::fprintf(stderr, "tcphs_delay_line: %s: %s\n", what, std::strerror(errno)); }

std::optional<std::int64_t> parse_int(std::string_view text, std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0 || value > max) {
    return std::nullopt;
  }
  return value;
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  bool have_queue = false;
  bool have_delay = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--queue") {
      const auto value = parse_int(argv[i + 1], 65535);
      if (!value) return std::nullopt;
      options.queue_num = static_cast<std::uint16_t>(*value);
      have_queue = true;
    } else if (flag == "--delay-us") {
      const auto value = parse_int(argv[i + 1], 60 * 1'000'000);
      if (!value) return std::nullopt;
      options.delay_ns = *value * 1000;
      have_delay = true;
    } else {
      return std::nullopt;
    }
  }
  if (argc % 2 == 0 || !have_queue || !have_delay) return std::nullopt;
  return options;
}

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * ns_per_s + ts.tv_nsec;
}

/// Arms `timer_fd` to fire at the absolute CLOCK_MONOTONIC time `due_ns`;
/// 0 disarms it.
bool arm_timer(int timer_fd, std::int64_t due_ns) {
  itimerspec spec{};
  spec.it_value.tv_sec = due_ns / ns_per_s;
  spec.it_value.tv_nsec = due_ns % ns_per_s;
  if (timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &spec, nullptr) != 0) {
    fail("timerfd_settime");
    return false;
  }
  return true;
}

/// One NFQUEUE instance bound over a libmnl netlink socket.
class Queue {
 public:
  ~Queue() {
    if (nl_ != nullptr) mnl_socket_close(nl_);
  }

  bool open(std::uint16_t queue_num) {
    queue_num_ = queue_num;
    nl_ = mnl_socket_open(NETLINK_NETFILTER);
    if (nl_ == nullptr || mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
      fail("netlink socket");
      return false;
    }
    port_id_ = mnl_socket_get_portid(nl_);
    // When a burst overflows the socket buffer the kernel drops the packets
    // it cannot queue, as a full router buffer would; without this option it
    // would also make the next recv() fail with ENOBUFS.
    int on = 1;
    if (mnl_socket_setsockopt(nl_, NETLINK_NO_ENOBUFS, &on, sizeof on) < 0) {
      fail("NETLINK_NO_ENOBUFS");
      return false;
    }

    nlmsghdr* nlh = nfq_nlmsg_put(buffer_.data(), NFQNL_MSG_CONFIG, queue_num_);
    nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
    if (!configure(nlh, "bind queue")) return false;

    nlh = nfq_nlmsg_put(buffer_.data(), NFQNL_MSG_CONFIG, queue_num_);
    // Only the packet id is needed, never the payload.
    nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_META, 0);
    nfq_nlmsg_cfg_put_qmaxlen(nlh, queue_max_len);
    return configure(nlh, "configure queue");
  }

  int fd() const { return mnl_socket_get_fd(nl_); }

  /// Reads one netlink datagram and appends the ids of the queued packets.
  bool receive(std::vector<std::uint32_t>& ids) {
    const ssize_t n = mnl_socket_recvfrom(nl_, buffer_.data(), buffer_.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) return true;
      fail("recv");
      return false;
    }
    // One datagram carries one message. A verdict the kernel refused (the
    // packet was flushed meanwhile) comes back as an error message here; it
    // concerns no waiting packet, so it is logged and the line goes on.
    if (mnl_cb_run(buffer_.data(), static_cast<std::size_t>(n), 0, port_id_, &Queue::on_packet, &ids) < 0) {
      fail("kernel message");
    }
    return true;
  }

  bool accept(std::uint32_t id) {
    nlmsghdr* nlh = nfq_nlmsg_put(buffer_.data(), NFQNL_MSG_VERDICT, queue_num_);
    nfq_nlmsg_verdict_put(nlh, static_cast<int>(id), NF_ACCEPT);
    return send(nlh, "verdict");
  }

 private:
  static int on_packet(const nlmsghdr* nlh, void* data) {
    nlattr* attr[NFQA_MAX + 1] = {};
    if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == nullptr) return MNL_CB_ERROR;
    const auto* header = static_cast<const nfqnl_msg_packet_hdr*>(mnl_attr_get_payload(attr[NFQA_PACKET_HDR]));
    static_cast<std::vector<std::uint32_t>*>(data)->push_back(ntohl(header->packet_id));
    return MNL_CB_OK;
  }

  /// Sends a configuration request and waits for the kernel's answer, so
  /// that a refused bind (queue taken by another process) fails here.
  bool configure(nlmsghdr* nlh, const char* what) {
    nlh->nlmsg_flags |= NLM_F_ACK;
    nlh->nlmsg_seq = ++seq_;
    if (!send(nlh, what)) return false;
    const ssize_t n = mnl_socket_recvfrom(nl_, buffer_.data(), buffer_.size());
    if (n < 0 || mnl_cb_run(buffer_.data(), static_cast<std::size_t>(n), seq_, port_id_, nullptr, nullptr) < 0) {
      fail(what);
      return false;
    }
    return true;
  }

  bool send(const nlmsghdr* nlh, const char* what) {
    if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0) {
      fail(what);
      return false;
    }
    return true;
  }

  mnl_socket* nl_ = nullptr;
  unsigned port_id_ = 0;
  unsigned seq_ = 0;
  std::uint16_t queue_num_ = 0;
  std::vector<char> buffer_ = std::vector<char>(MNL_SOCKET_BUFFER_SIZE);
};

/// Gives the verdict to every packet that is due at `now`, then re-arms the
/// timer for the oldest one left.
bool release_due(Queue& queue, std::deque<Pending>& pending, int timer_fd, std::int64_t now) {
  while (!pending.empty() && pending.front().due_ns <= now) {
    if (!queue.accept(pending.front().id)) return false;
    pending.pop_front();
  }
  return arm_timer(timer_fd, pending.empty() ? 0 : pending.front().due_ns);
}

int run(const Options& options) {
  // The default 50 us timer slack would add jitter to every delayed packet.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  if (sigprocmask(SIG_BLOCK, &signals, nullptr) != 0) {
    fail("sigprocmask");
    return 1;
  }
  const int signal_fd = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  const int timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (signal_fd < 0 || timer_fd < 0) {
    fail("signalfd/timerfd");
    return 1;
  }

  Queue queue;
  if (!queue.open(options.queue_num)) return 1;
  std::printf("ready\n");
  std::fflush(stdout);

  std::deque<Pending> pending;
  std::vector<std::uint32_t> arrived;
  pollfd fds[3] = {{queue.fd(), POLLIN, 0}, {timer_fd, POLLIN, 0}, {signal_fd, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll");
      return 1;
    }
    if (fds[0].revents & POLLIN) {
      arrived.clear();
      if (!queue.receive(arrived)) return 1;
      const std::int64_t due = now_ns() + options.delay_ns;
      const bool was_idle = pending.empty();
      for (const std::uint32_t id : arrived) pending.push_back({id, due});
      if (was_idle && !pending.empty() && !arm_timer(timer_fd, pending.front().due_ns)) return 1;
    }
    if (fds[1].revents & POLLIN) {
      std::uint64_t expirations = 0;
      if (read(timer_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) {
        fail("read timerfd");
        return 1;
      }
      if (!release_due(queue, pending, timer_fd, now_ns())) return 1;
    }
    if (fds[2].revents & POLLIN) {
      // Shutting down: let the queued packets through rather than drop them.
      return release_due(queue, pending, timer_fd, INT64_MAX) ? 0 : 1;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse_options(argc, argv);
  if (!options) {
    std::fprintf(stderr, "usage: tcphs_delay_line --queue N --delay-us MICROSECONDS\n");
    return 64;
  }
  return run(*options);
}
