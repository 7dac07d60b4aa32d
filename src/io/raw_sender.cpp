#include "tcphs/io/raw_sender.hpp"

#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "tcphs/io/sockaddr.hpp"
#include "tcphs/io/system.hpp"
#include "tcphs/io/unique_fd.hpp"

namespace tcphs::io {
namespace {

/// 64 packets per sendmmsg: the measured rate gains little beyond it.
constexpr std::size_t max_batch = 64;
/// Consecutive transient failures without progress before giving up.
constexpr int max_stalls = 8;
/// How long to wait for the socket to drain after EAGAIN.
constexpr int writable_wait_ms = 10;
/// ENOBUFS says the device queue is full; poll() cannot see it drain.
constexpr int queue_wait_ms = 1;

bool transient(int err) { return err == EINTR || err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS; }

/// Why the kernel refused to send to `dst` for a reason of this host, if it did.
std::optional<core::Error> local_refusal(int err, const std::string& dst) {
  if (err == EPERM || err == EACCES)
    return core::Error{core::ErrorKind::local_firewall,
                       fmt::format("sending to {} was refused by a local firewall ({})", dst, strerrorname_np(err))};
  if (err == ENETUNREACH || err == EHOSTUNREACH || err == ENETDOWN)
    return core::Error{core::ErrorKind::no_route, fmt::format("sending to {} failed: {}", dst, std::strerror(err))};
  return std::nullopt;
}

class RawSender final : public PacketSender {
 public:
  RawSender(UniqueFd fd, std::uint32_t ifindex) : fd_(std::move(fd)), ifindex_(ifindex) {}

  core::Result<SendReport> send(std::span<const OutPacket> packets) override {
    std::array<mmsghdr, max_batch> msgs{};
    std::array<iovec, max_batch> iov{};
    std::array<sockaddr_storage, max_batch> addrs{};
    std::size_t sent = 0;
    int stalls = 0;
    while (sent < packets.size()) {
      const std::size_t n = std::min(max_batch, packets.size() - sent);
      for (std::size_t i = 0; i < n; ++i) {
        const OutPacket& p = packets[sent + i];
        iov[i] = {const_cast<std::uint8_t*>(p.bytes.data()), p.bytes.size()};
        msgs[i] = {};
        msgs[i].msg_hdr.msg_name = &addrs[i];
        msgs[i].msg_hdr.msg_namelen = to_sockaddr(p.dst, 0, addrs[i], is_link_local_v6(p.dst) ? ifindex_ : 0);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      // sendmmsg stops at the first failing message and reports the ones
      // before it; the next round starts at the failing one and sees its errno.
      const int rc = sendmmsg(fd_.get(), msgs.data(), static_cast<unsigned>(n), 0);
      if (rc > 0) {
        sent += static_cast<std::size_t>(rc);
        stalls = 0;
        continue;
      }
      const int err = rc == 0 ? EAGAIN : errno;
      const std::string dst = packets[sent].dst.to_string();
      if (auto refused = local_refusal(err, dst)) return SendReport{sent, std::move(refused)};
      if (!transient(err))
        return core::io_error(fmt::format("sending to {} failed: {}", dst, std::strerror(err)));
      if (++stalls > max_stalls) break;
      if (err == ENOBUFS) {
        poll(nullptr, 0, queue_wait_ms);
      } else if (err != EINTR) {
        pollfd pfd{fd_.get(), POLLOUT, 0};
        poll(&pfd, 1, writable_wait_ms);
      }
    }
    return SendReport{sent, std::nullopt};
  }

 private:
  UniqueFd fd_;
  std::uint32_t ifindex_;
};

}  // namespace

core::Result<std::unique_ptr<PacketSender>> open_raw_sender(core::Family family,
                                                            const std::optional<std::string>& device) {
  std::uint32_t ifindex = 0;
  // Checked first so a typo is a usage error even without privileges.
  if (device) {
    ifindex = if_nametoindex(device->c_str());
    if (ifindex == 0) return core::usage_error(fmt::format("unknown interface '{}'", *device));
  }
  const char* label = family == core::Family::ipv4 ? "IPv4" : "IPv6";
  UniqueFd fd(socket(family == core::Family::ipv4 ? AF_INET : AF_INET6,
                     SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW));
  if (!fd.valid()) {
    const int err = errno;
    if (err == EPERM || err == EACCES)
      return core::Error{core::ErrorKind::permission, fmt::format("cannot open a raw {} socket ({}); {}",
                                                                  label, std::strerror(err), net_raw_hint)};
    return core::io_error(fmt::format("cannot open a raw {} socket: {}", label, std::strerror(err)));
  }
  if (device) {
    if (setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, device->c_str(),
                   static_cast<socklen_t>(device->size())) != 0) {
      const int err = errno;
      if (err == EPERM)
        return core::Error{core::ErrorKind::permission,
                           fmt::format("cannot bind a raw socket to {} ({}); {}", *device, std::strerror(err),
                                       net_raw_hint)};
      return core::io_error(fmt::format("cannot bind a raw socket to {}: {}", *device, std::strerror(err)));
    }
  }
  return std::unique_ptr<PacketSender>(std::make_unique<RawSender>(std::move(fd), ifindex));
}

}  // namespace tcphs::io
