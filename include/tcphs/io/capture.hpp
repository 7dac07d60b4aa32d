#pragma once
/// Packet capture with kernel nanosecond timestamps (libpcap on a packet
/// ring), filtered with BPF to our own traffic.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "tcphs/core/result.hpp"
#include "tcphs/core/time.hpp"

namespace tcphs::io {

struct CapturedFrame {
  std::span<const std::uint8_t> ip;  ///< starts at the IP header (link header stripped)
  core::Stamp stamp;                 ///< kernel stamp, StampSource::capture
};

struct CaptureStats {
  std::uint64_t received = 0;
  std::uint64_t dropped = 0;  ///< by the kernel ring (PACKET_STATISTICS)
};

struct CaptureConfig {
  std::string interface;
  std::string filter;               ///< BPF expression (pcap-filter(7))
  bool immediate = true;            ///< wake per packet (probe) or per block (scan)
  int block_timeout_ms = 1;         ///< when not immediate
  int buffer_bytes = 4 << 20;
  int snaplen = 256;                ///< enough for IPv6 + ext headers + TCP + options + ICMP quote
};

/// Abstract so the runner can be tested with a fake that replays frames.
class Capture {
 public:
  virtual ~Capture() = default;
  virtual int fd() const = 0;  ///< pollable; readable when frames may be waiting
  /// Hands every waiting frame to `sink`; never blocks. Returns the count.
  /// A frame's bytes are valid only during its `sink` call; `sink` must not
  /// throw (it runs inside libpcap's C callback).
  virtual core::Result<std::size_t> drain(const std::function<void(const CapturedFrame&)>& sink) = 0;
  virtual CaptureStats stats() const = 0;
};

/// Where the IP header starts in a frame of link type `datalink` (a pcap
/// DLT_ value): Ethernet (with one 802.1Q tag), Linux cooked v1/v2, raw IP,
/// BSD loopback. Nothing for other link types, truncated frames, and
/// frames that do not carry IPv4/IPv6 (ARP, say).
std::optional<std::size_t> link_header_length(int datalink, std::span<const std::uint8_t> frame);

/// Our own SYNs appear in the capture too (outgoing copies on real devices,
/// the looped-back copy on lo, as tcpdump shows them); their stamps are the
/// transmit times. Needs CAP_NET_RAW (error kind `permission`); an unknown
/// interface is a usage error, a filter that does not compile an internal one.
core::Result<std::unique_ptr<Capture>> open_capture(const CaptureConfig& config);

}  // namespace tcphs::io
