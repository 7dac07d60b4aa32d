#pragma once
/// The probe engine: pure, "sans-I/O". It owns the table of outstanding
/// probes and their deadlines; the caller feeds it captured packets with
/// their kernel stamps and the current time, and takes back the packets to
/// send and the results. Every command runs its plan through it.

#include <cstdint>
#include <map>
#include <optional>
#include <queue>
#include <span>
#include <vector>

#include "tcphs/core/cookie.hpp"
#include "tcphs/core/packet.hpp"
#include "tcphs/core/probe_result.hpp"
#include "tcphs/core/syn.hpp"
#include "tcphs/core/time.hpp"

namespace tcphs::core {

using ProbeId = std::uint32_t;

struct EngineConfig {
  /// First retransmission timeout; it doubles after each attempt (RFC 6298 §5.5).
  Duration rto = std::chrono::seconds(1);
  std::uint32_t retries = 2;  ///< retransmissions after the first SYN
  /// Cap on the whole life of a probe from its first SYN (-W); 0 = none.
  Duration total_timeout{};
};

struct ProbeRequest {
  std::size_t target_index = 0;
  std::uint32_t number = 1;
  SynSpec syn;  ///< everything but `seq`, which the engine derives per attempt
  Instant due;  ///< when the first SYN may leave
};

/// One packet to put on the wire now.
struct Send {
  ProbeId id = 0;
  std::size_t target_index = 0;
  std::uint32_t attempt = 0;
  IpAddress dst;
  std::vector<std::uint8_t> packet;
};

struct EngineCounters {
  std::uint64_t packets = 0;   ///< everything offered to on_packet
  std::uint64_t matched = 0;   ///< replies that decided a probe
  std::uint64_t ignored = 0;   ///< decodable but matching no outstanding probe
  std::uint64_t undecodable = 0;
};

class Engine {
 public:
  Engine(EngineConfig config, CookieKey key);

  ProbeId add(const ProbeRequest& request);
  /// The same with this probe's own RTO, retries and -W in place of the
  /// engine's config, for plans whose probes differ (check: a line's
  /// timeout= and retries=).
  ProbeId add(const ProbeRequest& request, const EngineConfig& timing);

  /// Advances time to `now`: probes whose last RTO (or -W) ran out end as
  /// `timeout`, and the packets due (first attempts and retransmissions, at
  /// most `max`, oldest first) are returned. Each counts as sent at `now`,
  /// which also starts its RTO.
  std::vector<Send> take_sends(Instant now, std::size_t max = SIZE_MAX);

  /// The user-clock time of a send, kept only as a fallback for when the
  /// capture misses our own SYN (the capture's stamp wins when it shows up).
  void on_sent(ProbeId id, std::uint32_t attempt, Stamp user_clock);

  /// The kernel refused to send `attempt` of probe `id` for a reason of
  /// this host (a local firewall, no route): the probe ends now with
  /// `outcome`, the one connect() reports for the same errno (EPERM is
  /// `filtered`, ENETUNREACH `unreachable`), and attempt 0 when no SYN of it
  /// left. Unknown or finished probes are ignored.
  void on_refused(ProbeId id, std::uint32_t attempt, Outcome outcome);

  /// A captured packet (IP header first) with its kernel stamp: our own SYN
  /// (its stamp is the transmit time), a reply, or anything else (ignored).
  void on_packet(std::span<const std::uint8_t> ip, Stamp stamp);

  /// Results reached since the last call, in the order they were reached.
  std::vector<ProbeResult> take_results();

  /// When the engine next needs to run: a due send or an RTO. None when idle.
  std::optional<Instant> next_deadline() const;
  bool done() const { return outstanding_ == 0; }
  const EngineCounters& counters() const { return counters_; }

  /// The ISN of `attempt` of probe `number` on `flow`: a keyed hash, so it
  /// is unpredictable (RFC 6528) and a reply proves it saw our SYN.
  std::uint32_t seq_for(const FlowKey& flow, std::uint32_t number, std::uint32_t attempt) const;

 private:
  enum class State : std::uint8_t { waiting, in_flight, finished };
  struct Attempt {
    std::uint32_t seq = 0;
    std::optional<Stamp> tx;       ///< kernel stamp from the capture
    std::optional<Stamp> tx_user;  ///< user clock fallback
  };
  struct Probe {
    ProbeRequest request;
    EngineConfig timing;
    State state = State::waiting;
    std::vector<Attempt> attempts;  ///< index = attempt - 1
    Instant first_sent{};
    Instant deadline{};  ///< next send (waiting) or next RTO (in flight)
  };
  struct Due {
    Instant at;
    ProbeId id;
    bool operator>(const Due& o) const { return at > o.at; }
  };

  void schedule(ProbeId id, Instant at);
  void on_tcp(const Packet& p, const TcpHeader& tcp, Stamp stamp);
  void on_icmp(const Packet& p, const IcmpError& icmp, Stamp stamp);
  /// Which attempt of which probe on `flow` carried `seq`.
  std::optional<std::pair<ProbeId, std::uint32_t>> find(const FlowKey& flow, std::uint32_t seq) const;
  void finish(ProbeId id, ProbeResult result, std::uint32_t attempt, std::optional<Stamp> rx);

  EngineConfig config_;
  CookieKey key_;
  std::vector<Probe> probes_;
  std::map<FlowKey, std::vector<ProbeId>> by_flow_;  ///< unfinished probes per flow
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
  std::vector<ProbeResult> results_;
  std::size_t outstanding_ = 0;
  EngineCounters counters_;
};

}  // namespace tcphs::core
