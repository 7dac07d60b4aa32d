#pragma once
/// The scan engine: stateless SYN matching over flat per-slot state, for
/// thousands of ports per host. Pure and "sans-I/O" like core::Engine, which
/// keeps a ProbeRequest (with its SynSpec), an attempts vector and a map
/// entry per probe, and builds each SYN in a heap vector: measured with
/// 65,535 probes, 10.5 MB once added and 24 MB once their SYNs are taken,
/// before any ProbeResult. Here the whole state of that scan is 3.3 MB
/// (~50 bytes a slot, scan_table.hpp), allocated once; SYNs are patched
/// from a template per host (scan_template.hpp) into a caller's buffer, and
/// replies are matched by recomputing the cookie.
///
/// Life of a slot: its first SYN leaves in the keyed order of ScanOrder,
/// paced by a TokenBucket; if nothing answers within the adaptive wait
/// (scan_wait.hpp) it gets one retransmission (with `retries` 1), and after
/// the last SYN of the scan and one more wait every slot still unanswered
/// ends as `timeout`. The first matching reply decides a slot; later ones
/// are counted as duplicates.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tcphs/core/cookie.hpp"
#include "tcphs/core/packet.hpp"
#include "tcphs/core/scan_order.hpp"
#include "tcphs/core/scan_rate.hpp"
#include "tcphs/core/scan_table.hpp"
#include "tcphs/core/scan_template.hpp"
#include "tcphs/core/scan_wait.hpp"

namespace tcphs::core {

struct ScanConfig {
  std::vector<std::uint16_t> ports;  ///< ascending, no duplicates (parse_port_list's form)
  std::uint32_t retries = 1;         ///< 0 or 1 retransmission per port
  double rate = 1000;                ///< SYNs per second, every host together
  std::size_t batch = 64;            ///< SYNs per take_sends at most
  WaitPolicy wait;
  std::uint64_t order_seed = 0;
  bool adaptive_rate = true;         ///< halve the rate on capture drops and ICMP rate limiting
};

/// One host of the scan: the SYN every port gets (flow.local, local_port,
/// remote, TTL, options...); remote_port, seq and TSval are set per packet.
struct ScanHost {
  SynSpec syn;
};

/// One packet to put on the wire.
struct ScanSend {
  IpAddress dst;
  std::size_t size = 0;
  std::array<std::uint8_t, max_syn_bytes> bytes{};
  std::span<const std::uint8_t> packet() const { return {bytes.data(), size}; }
};

struct ScanCounters {
  std::uint64_t first_sent = 0;      ///< first SYNs the kernel accepted
  std::uint64_t retransmitted = 0;   ///< second SYNs
  std::uint64_t answered = 0;        ///< slots decided by a reply
  std::uint64_t answered_on_retry = 0;
  std::uint64_t icmp_answered = 0;
  std::uint64_t icmp_on_retry = 0;
  std::uint64_t duplicates = 0;      ///< matching replies for a slot already decided
  std::uint64_t packets = 0;         ///< everything offered to on_packet
  std::uint64_t own_syns = 0;        ///< our SYNs seen by the capture (their transmit stamps)
  std::uint64_t ignored = 0;         ///< decodable, but not a reply to one of our SYNs
  std::uint64_t undecodable = 0;
  std::uint64_t capture_drops = 0;   ///< reported through on_capture_drops
};

class ScanEngine {
 public:
  /// Errors (usage): no ports, no hosts, retries above 1, a rate outside
  /// (0, max_scan_rate], a host whose SYN cannot be crafted.
  static Result<ScanEngine> make(ScanConfig config, CookieKey key, const std::vector<ScanHost>& hosts,
                                 Instant start);

  /// Fills `out` with the SYNs due at `now` (retransmissions first), as many
  /// as the rate allows, at most `batch`. Each must be reported with sent().
  std::size_t take_sends(Instant now, std::span<ScanSend> out);
  /// How many of the last take_sends() the kernel accepted, in order, and
  /// the user-clock time the send returned (the fallback transmit stamp).
  /// The rest go back to the front of the queue and their tokens back to
  /// the bucket.
  void sent(std::size_t accepted, Instant now, Stamp user_clock);

  /// A captured packet, IP header first, with its kernel stamp.
  void on_packet(std::span<const std::uint8_t> ip, Stamp stamp);
  /// The capture's cumulative counters (PACKET_STATISTICS). Any drop makes
  /// results_may_be_wrong() true and leaves a note; drops of 1% or more of
  /// the packets since the last call also halve the rate (adaptive_rate).
  void on_capture_drops(std::uint64_t dropped, std::uint64_t received, Instant now);

  /// Ends slots whose last wait ran out. Call before take_sends on a wake.
  void expire(Instant now);
  /// When the engine next needs to run; nothing once done.
  std::optional<Instant> next_deadline(Instant now) const;
  bool done() const { return outstanding_ == 0; }

  std::size_t hosts() const { return hosts_.size(); }
  const std::vector<std::uint16_t>& ports() const { return config_.ports; }
  std::size_t slot(std::size_t host, std::size_t port_index) const { return host * config_.ports.size() + port_index; }
  const ScanTable& table() const { return table_; }
  const ScanCounters& counters() const { return counters_; }
  std::uint64_t total() const { return order_.size(); }
  double rate() const { return bucket_.rate(); }
  Duration wait() const { return adaptive_wait(rtts_, config_.wait); }
  const RttHistogram& rtts() const { return rtts_; }
  /// Capture drops, or ICMP errors that look rate limited, were seen.
  bool results_may_be_wrong() const { return counters_.capture_drops > 0 || icmp_limited_; }
  /// One line per rate change, for stderr; emptied by the call.
  std::vector<std::string> take_notes();

  /// The sequence number of `attempt` to `remote_port` of `host`.
  std::uint32_t cookie(std::size_t host, std::uint16_t remote_port, std::uint32_t attempt) const;

 private:
  struct Host {
    SynTemplate syn;
    FlowKey flow;  ///< remote_port 0
  };
  struct Pending {
    std::uint64_t position;
    std::size_t slot;
    std::uint32_t attempt;
  };

  ScanEngine(ScanConfig config, CookieKey key, Instant start);
  std::optional<std::size_t> host_of(const IpAddress& remote, const IpAddress& local, std::uint16_t local_port) const;
  std::optional<std::size_t> port_index(std::uint16_t port) const;
  /// The attempt of `slot` whose cookie is `seq`, if any.
  std::optional<std::uint32_t> attempt_for(std::size_t host, std::size_t slot, std::uint16_t port,
                                           std::uint32_t seq) const;
  void on_tcp(const Packet& p, const TcpHeader& t, Stamp stamp);
  void on_icmp(const Packet& p, const IcmpError& e, Stamp stamp);
  void decide(std::size_t slot, Outcome outcome, std::uint32_t attempt, Stamp rx, const CompactReply& reply);
  /// The next slot due for its retransmission at `now`, advancing past
  /// decided ones; nothing when none is due yet.
  std::optional<Pending> next_retransmission(Instant now);
  Instant first_sent_at(std::uint64_t position);
  /// Halves the rate (adaptive_rate) and leaves a note; `always` skips the
  /// spacing that merges drops reported over several polls.
  void back_off(Instant now, const std::string& why, bool always);

  ScanConfig config_;
  CookieKey key_;
  std::vector<Host> hosts_;
  std::vector<std::pair<IpAddress, std::size_t>> by_remote_;  ///< sorted, for host_of
  ScanOrder order_;
  ScanTable table_;
  TokenBucket bucket_;
  RttHistogram rtts_;
  std::uint64_t fresh_ = 0;  ///< next position for a first SYN
  std::uint64_t retx_ = 0;   ///< next position to consider for a retransmission
  /// (first position, time) per batch of first SYNs: positions ascend.
  std::vector<std::pair<std::uint64_t, Instant>> sent_log_;
  std::size_t log_at_ = 0;   ///< the entry covering retx_
  std::vector<Pending> pending_;
  std::optional<Instant> last_send_;
  std::size_t outstanding_ = 0;
  std::uint64_t drops_seen_ = 0;
  std::uint64_t received_seen_ = 0;
  std::optional<Instant> last_back_off_;
  bool icmp_limited_ = false;
  bool icmp_back_off_due_ = false;  ///< found while matching; applied at the next take_sends
  std::vector<std::string> notes_;
  ScanCounters counters_;
};

}  // namespace tcphs::core
