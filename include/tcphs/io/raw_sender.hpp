#pragma once
/// Sends complete IP packets (header included) through raw sockets.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::io {

struct OutPacket {
  core::IpAddress dst;
  std::span<const std::uint8_t> bytes;  ///< a whole IPv4 or IPv6 packet
};

/// What one send() did with its packets.
struct SendReport {
  std::size_t sent = 0;  ///< packets [0, sent) left this host
  /// Set when the kernel refused packets[sent] for a reason of this host:
  /// a local firewall (EPERM/EACCES, kind local_firewall) or no route
  /// (ENETUNREACH/EHOSTUNREACH/ENETDOWN, kind no_route, as when the
  /// interface went down). The packets after it were not tried.
  std::optional<core::Error> refused;
};

/// Abstract so the runner can be tested with a fake that records packets.
class PacketSender {
 public:
  virtual ~PacketSender() = default;
  /// Sends the packets in as few syscalls as possible (sendmmsg).
  /// EINTR/EAGAIN/ENOBUFS are retried a bounded number of times; a `sent`
  /// below `packets.size()` without `refused` means the kernel stayed busy
  /// through the retries: the packets from that index on were not sent, and
  /// may be sent again. Any other errno is an io error.
  virtual core::Result<SendReport> send(std::span<const OutPacket> packets) = 0;
};

/// Opens SOCK_RAW/IPPROTO_RAW for `family` (header included, also on IPv6),
/// non-blocking, bound to `device` when given (SO_BINDTODEVICE; an IPv6
/// link-local destination is then scoped to it). Needs CAP_NET_RAW: without
/// it the error kind is `permission`; an unknown device is a usage error.
core::Result<std::unique_ptr<PacketSender>> open_raw_sender(core::Family family,
                                                            const std::optional<std::string>& device);

}  // namespace tcphs::io
