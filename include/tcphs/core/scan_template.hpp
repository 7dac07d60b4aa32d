#pragma once
/// A SYN crafted once per destination and patched per port: destination
/// port, sequence number, TSval and TCP checksum change, nothing else. The
/// hot path of a scan then copies ~60 bytes and sums them instead of
/// building and serialising a libtins packet (11 ns against 278 ns per
/// packet in the engine notes).

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "tcphs/core/syn.hpp"

namespace tcphs::core {

/// Room for the largest SYN we craft: IPv6 header and a TCP header with
/// 40 bytes of options.
inline constexpr std::size_t max_syn_bytes = 40 + 60;

class SynTemplate {
 public:
  /// Crafts `spec` (its remote port, seq and TSval are placeholders) with
  /// craft_syn. Nothing when craft_syn refuses it (mixed families, an
  /// unspecified source) or the result does not fit max_syn_bytes.
  static std::optional<SynTemplate> make(const SynSpec& spec);

  /// Writes the SYN to `remote_port` with sequence number `seq` into `out`
  /// and returns its length. When the template carries timestamps, TSval is
  /// `ts_val`. The TCP checksum is recomputed over the RFC 9293 §3.1
  /// pseudo-header; the IPv4 header checksum is left as crafted, since the
  /// kernel recomputes it for IPPROTO_RAW sockets (raw(7)).
  std::size_t write(std::uint16_t remote_port, std::uint32_t seq, std::uint32_t ts_val,
                    std::span<std::uint8_t, max_syn_bytes> out) const;

  std::size_t size() const { return size_; }

 private:
  SynTemplate() = default;

  std::array<std::uint8_t, max_syn_bytes> bytes_{};
  std::size_t size_ = 0;
  std::size_t tcp_at_ = 0;
  std::optional<std::size_t> ts_val_at_;
  std::uint32_t pseudo_sum_ = 0;  ///< the pseudo-header's 16-bit words, summed
};

/// The Internet checksum (RFC 1071) of `bytes` with `initial` already
/// summed in: the ones' complement of the ones' complement sum.
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t initial = 0);

}  // namespace tcphs::core
