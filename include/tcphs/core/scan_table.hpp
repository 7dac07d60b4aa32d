#pragma once
/// What a scan remembers per (host, port) slot, in flat arrays sized once:
/// a state byte pair, two transmit stamps and a compact copy of the reply.
/// About 44 bytes a slot, so a full 65,535-port scan of one host keeps
/// under 3 MB and allocates nothing per port while it runs.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "tcphs/core/probe_result.hpp"

namespace tcphs::core {

/// The parts of a matched reply a scan reports (flags, TTL, window, ISN,
/// MSS, window scale, SACK-permitted, timestamps, ECN; or the ICMP type,
/// code and sender). Unknown options and TFO cookies are not kept: `probe`
/// shows a port in full.
struct CompactReply {
  std::uint32_t isn = 0;
  std::uint32_t ts_val = 0;
  std::uint32_t ts_ecr = 0;
  std::uint16_t flags = 0;
  std::uint16_t window = 0;
  std::uint16_t mss = 0;
  std::uint16_t icmp_from = 0;  ///< index into the table's ICMP senders
  std::uint8_t ttl = 0;
  std::uint8_t wscale = 0;
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  std::uint8_t bits = 0;  ///< CompactReply::has_* and is_icmp

  static constexpr std::uint8_t is_icmp = 1, has_mss = 2, has_wscale = 4, sack = 8, has_ts = 16, ecn = 32,
                                malformed = 64;
  static CompactReply from_tcp(const TcpHeader& t, std::uint8_t ttl);
};

class ScanTable {
 public:
  explicit ScanTable(std::size_t slots);

  std::size_t size() const { return state_.size(); }
  /// SYNs sent so far to the slot (0, 1 or 2).
  std::uint32_t attempts(std::size_t slot) const { return state_[slot] & attempts_mask; }
  bool done(std::size_t slot) const { return state_[slot] & done_bit; }

  /// Counts one more SYN to the slot; `unsend` takes it back (the kernel
  /// did not accept it).
  void add_attempt(std::size_t slot);
  void unsend(std::size_t slot);
  /// The transmit stamp of `attempt`: a user-clock stamp when the send
  /// returned, replaced by the capture's stamp of our SYN when that shows
  /// up (once: on `lo` the capture sees it twice).
  void set_tx(std::size_t slot, std::uint32_t attempt, Stamp stamp);

  /// Ends the slot with a matched reply on `attempt`, received at `rx`;
  /// returns the RTT (rx minus that attempt's transmit stamp) when known.
  /// The RTT replaces the transmit stamps, which are no longer needed.
  std::optional<std::int64_t> finish(std::size_t slot, Outcome outcome, std::uint32_t attempt, Stamp rx,
                                     const CompactReply& reply);
  /// Ends the slot as `timeout` after its last attempt.
  void finish_timeout(std::size_t slot);

  /// Index of `from` among the ICMP senders seen (added when new).
  std::uint16_t icmp_sender(const IpAddress& from);

  /// The slot as a ProbeResult for the reporters (`flow` is left for the
  /// caller, who knows the host and port); nothing while it is not done.
  std::optional<ProbeResult> result(std::size_t slot) const;
  std::optional<Outcome> outcome(std::size_t slot) const;
  std::optional<std::int64_t> rtt_ns(std::size_t slot) const;

 private:
  static constexpr std::uint16_t attempts_mask = 0x3;
  static constexpr std::uint16_t done_bit = 0x4;
  static constexpr int outcome_shift = 3;            ///< 3 bits
  static constexpr std::uint16_t second_attempt = 0x40;
  static constexpr std::uint16_t has_rtt = 0x80;
  static constexpr std::uint16_t tx_capture = 0x100;  ///< << (attempt - 1)
  static constexpr std::uint16_t rtt_user = 0x400;

  std::vector<std::uint16_t> state_;
  std::vector<std::int64_t> tx_;  ///< two per slot; after finish(), the first is the RTT
  std::vector<CompactReply> replies_;
  std::vector<IpAddress> icmp_senders_;
};

}  // namespace tcphs::core
