#pragma once
/// The ladder model of `tcphs handshake` (SPEC §3): the segments of one
/// connection as captured on the client's side, turned into what the
/// ladder shows: relative sequence numbers per side, retransmission and
/// out-of-order marks, the TCP state of each side after every segment, and
/// the annotations (RTT before the client may send, the ack = ISN+1 check,
/// negotiated options, SYN backoff). Pure: segments in, values out.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/outcome.hpp"
#include "tcphs/core/packet.hpp"
#include "tcphs/core/tcp_options.hpp"

namespace tcphs::core {

/// `out`: client to server; `in`: server (or a router's ICMP) to client.
enum class SegmentDir : std::uint8_t { out, in };

/// An ICMP error about the connection, drawn as an incoming arrow.
struct LadderIcmp {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  IpAddress from;
};

/// One captured segment (or ICMP error) of the connection.
struct Segment {
  SegmentDir dir = SegmentDir::out;
  std::int64_t stamp_ns = 0;  ///< kernel capture stamp (CLOCK_REALTIME ns)
  std::uint16_t flags = 0;    ///< tcp_flag bits
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint16_t len = 0;  ///< payload bytes
  std::uint16_t window = 0;
  TcpOptions options;
  std::optional<LadderIcmp> icmp;  ///< set: an ICMP error, the TCP fields are the quoted SYN's
};

enum class TcpState : std::uint8_t {
  closed, listen, syn_sent, syn_received, established,
  fin_wait_1, fin_wait_2, closing, time_wait, close_wait, last_ack,
};

/// RFC 9293 names with underscores: "SYN_SENT", "TIME_WAIT".
std::string_view state_name(TcpState s);

/// The flags as the seed names them: "SYN", "SYN-ACK", "ACK", "PSH-ACK",
/// "FIN-ACK", "RST", "RST-ACK"; ECE/CWR/URG appended ("SYN-ECE-CWR").
std::string flag_words(std::uint16_t flags);

struct LadderRow {
  Segment seg;
  std::int64_t t_ns = 0;  ///< from the first SYN the client sent
  /// seq relative to the sender's ISN, ack relative to the receiver's ISN;
  /// absent while that ISN is unknown (an ack without the ACK flag is absent too).
  std::optional<std::uint32_t> rel_seq, rel_ack;
  bool retransmission = false;  ///< all its sequence space was sent before
  bool out_of_order = false;    ///< starts below the highest sent, or after a gap
  /// Each side's state after this segment; the server's is inferred (nullopt: unknown).
  TcpState client_state = TcpState::closed;
  std::optional<TcpState> server_state;
  bool client_changed = false, server_changed = false;
};

/// What the two SYNs agreed on. MSS each way: what each side announced it can receive.
struct Negotiated {
  std::optional<std::uint16_t> client_mss, server_mss;
  /// Both are set only when both SYNs carried the option (RFC 7323 §2.2).
  std::optional<std::uint8_t> client_wscale, server_wscale;
  bool sack = false, timestamps = false;
  bool ecn = false;  ///< SYN with ECE+CWR answered by SYN-ACK with ECE and no CWR (RFC 3168 §6.1.1)
};

/// How the attempt to connect ended, from the segments alone.
enum class LadderEnd : std::uint8_t { established, reset, icmp, no_reply };

struct LadderNotes {
  std::uint32_t client_isn = 0;
  std::optional<std::uint32_t> server_isn;
  LadderEnd end = LadderEnd::no_reply;
  Outcome outcome = Outcome::timeout;  ///< SPEC §2, for the exit code
  /// From the SYN that was answered to its SYN-ACK: the "1 RTT before the client may send".
  std::optional<std::int64_t> rtt_ns;
  /// The answer's ack against our ISN+1 (SYN-ACK or RST); absent without an answer.
  std::optional<bool> ack_ok;
  std::optional<std::uint32_t> answer_ack;
  Negotiated negotiated;
  int syn_count = 0;                    ///< SYNs the client sent (1 + retransmissions)
  std::vector<std::int64_t> syn_gaps_ns;  ///< time between consecutive SYNs: the backoff
};

struct Ladder {
  std::vector<LadderRow> rows;
  LadderNotes notes;
  TcpState client_initial = TcpState::closed;
  std::optional<TcpState> server_initial;  ///< LISTEN once it answered a SYN with SYN-ACK, CLOSED after an RST
};

/// Builds the ladder from segments in capture order. Segments before the
/// client's first SYN are dropped (nothing to be relative to); empty input,
/// or no SYN, gives no rows.
///
/// States: one RFC 9293 machine per side, the client's driven by what it
/// sent and received, the server's by the mirror image. A SYN that drew no
/// answer before the next SYN is taken as lost and leaves the server as it
/// was; the server starts in LISTEN when it answered with a SYN-ACK, CLOSED
/// when it reset, unknown otherwise. An ICMP error closes the client unless
/// the client sends the SYN again after it (the socket did not take it).
Ladder build_ladder(std::span<const Segment> segments);

/// The segment a decoded packet is, seen from `client` (our local address
/// and port; the remote is the server): nothing when it belongs to another
/// flow. An ICMP error counts when its quote carries the flow.
std::optional<Segment> to_segment(const Packet& p, std::int64_t stamp_ns, const FlowKey& client);

/// The client side of a capture: the sender of its first SYN without ACK.
std::optional<FlowKey> client_of(const Packet& first_syn);

}  // namespace tcphs::core
