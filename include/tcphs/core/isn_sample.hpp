#pragma once
/// One SYN-ACK as `isn` samples it, and the sequence-space arithmetic the
/// analyses share. Pure values: the app fills them from ProbeResults.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tcphs::core {

struct IsnSample {
  std::uint32_t number = 0;       ///< probe number from 1
  std::uint16_t source_port = 0;  ///< samples that share it share the 4-tuple
  std::uint32_t our_isn = 0;      ///< sequence number of the SYN that was answered
  std::uint32_t isn = 0;          ///< the server's ISN, from its SYN-ACK
  std::int64_t rx_ns = 0;         ///< kernel receive stamp of the SYN-ACK
  std::optional<std::uint32_t> tsval;
  std::optional<std::uint16_t> ip_id;  ///< IPv4 only
  bool wscale = false;                 ///< the SYN-ACK carried window scale
  bool sack_permitted = false;         ///< ... and SACK-permitted
};

/// The options our SYNs offered: a SYN cookie can only echo what it can encode.
struct SynOffer {
  std::optional<std::uint8_t> wscale = 7;
  bool sack_permitted = true;
  bool timestamps = true;
  bool ecn = false;
};

/// `later - earlier` in sequence space (RFC 9293 §3.4: arithmetic mod 2^32).
inline std::uint32_t forward_delta(std::uint32_t earlier, std::uint32_t later) { return later - earlier; }

/// nmap's MOD_DIFF: the shorter way round the circle between two values, so a
/// counter that wrapped, or one read slightly out of order, gives a small number.
inline std::uint32_t mod_diff(std::uint32_t a, std::uint32_t b) { return std::min(b - a, a - b); }

/// The samples of the 4-tuple that was sampled most often (the first such
/// when several tie), in the order given. `isn` reuses one source port for
/// every other SYN so that per-connection values (timestamp offsets, Linux's
/// ISN hash) stay fixed along that series.
std::vector<IsnSample> busiest_connection(std::span<const IsnSample> samples);

/// How many distinct source ports (4-tuples) the samples used.
std::size_t connection_count(std::span<const IsnSample> samples);

}  // namespace tcphs::core
