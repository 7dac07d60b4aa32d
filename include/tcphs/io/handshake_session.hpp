#pragma once
/// The connection `tcphs handshake` draws: one real kernel connect(),
/// optionally some data, a hold, then a close started by either side, all
/// captured (when allowed) on the route's interface with kernel stamps and
/// the client's state read back from the kernel along the way.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/ladder.hpp"
#include "tcphs/core/result.hpp"
#include "tcphs/core/time.hpp"
#include "tcphs/io/capture.hpp"
#include "tcphs/io/pcap_file.hpp"
#include "tcphs/io/sock_diag.hpp"
#include "tcphs/io/tcp_info.hpp"

namespace tcphs::io {

enum class CloseBy : std::uint8_t { client, server };

/// Where the exchange was when a signal cut it short.
enum class HandshakePhase : std::uint8_t {
  connect,  ///< waiting for connect(): the SYN-ACK, or an answer at all
  send,     ///< sending --send/--http data
  hold,     ///< --hold (and reading what the server sent)
  close,    ///< the close, or the final drain of the capture
};

struct HandshakeRequest {
  core::IpAddress dst;
  std::uint16_t port = 0;
  core::IpAddress source;            ///< the route's (or --source) address
  std::uint16_t source_port = 0;     ///< 0: the kernel picks one at bind()
  std::optional<std::string> bind_device;  ///< -I: SO_BINDTODEVICE
  std::string capture_interface;     ///< the route's interface
  bool capture = true;               ///< false: no capture privilege, kernel facts only
  std::optional<int> ttl;
  std::optional<int> tos;            ///< IP_TOS / IPV6_TCLASS
  std::string payload;               ///< sent once connected (may be empty)
  core::Duration hold{};             ///< kept open this long after connect (and send)
  CloseBy close = CloseBy::client;
  core::Duration timeout = std::chrono::seconds(10);  ///< for connect(), and for the server's FIN
  int syn_retries = 2;               ///< TCP_SYNCNT: SYN resends before the kernel gives up
};

/// What TCP_INFO said at one moment, with a name for when.
struct KernelState {
  std::string when;  ///< "after connect", "after shutdown", ...
  core::TcpState state = core::TcpState::closed;
};

struct HandshakeRun {
  core::FlowKey flow;            ///< local = us, after bind()
  int connect_errno = 0;         ///< 0: connected
  bool captured = false;
  std::vector<StoredFrame> frames;  ///< the flow's packets and ICMP errors, capture order
  CaptureStats capture_stats;
  std::optional<TcpInfoFacts> info;  ///< read once connected
  std::vector<KernelState> states;   ///< TCP_INFO along the way
  std::optional<DiagSocket> after_close;  ///< sock_diag once closed (TIME_WAIT and its timer)
  bool peer_closed = false;               ///< the server's FIN arrived (read() returned 0)
  std::uint64_t bytes_received = 0;
  /// User-clock durations (CLOCK_MONOTONIC): connect() to its verdict, the
  /// send, the close (shutdown or close() to the end of the exchange).
  core::Duration connect_time{}, send_time{}, close_time{};
  /// SIGINT or SIGTERM when one cut the exchange short, else 0; `phase`
  /// says where it was. connect_errno is EINPROGRESS when connect() had no
  /// verdict yet.
  int signal = 0;
  HandshakePhase phase = HandshakePhase::connect;
};

/// Runs the exchange. The capture (when `capture`) is opened after bind()
/// and before connect(), filtered to the 4-tuple (and ICMP errors to us),
/// and every capability is dropped once it is open. A close by the client
/// is shutdown(SHUT_WR), a wait (up to `timeout`) for the server's FIN, then
/// close(); a close by the server waits for its FIN first. The capture is
/// then drained until 150 ms pass without a frame (at most 1 s) so the last
/// ACK is in it, and sock_diag is asked for the 4-tuple. A connect() that
/// fails is no error: `connect_errno` says how. SIGINT and SIGTERM are held
/// back (blocked) for the whole call and end any wait: the run stops where
/// it is, closes the socket (aborted while connect() is pending, a normal
/// close() once connected: no further wait for the server's FIN), drains
/// the capture as above and returns what it has, with `signal` set; a
/// second signal ends that drain at once. Errors: socket, bind or
/// capture set-up (usage for an unknown device or a source not ours), and
/// local_firewall when connect() itself says EPERM/EACCES.
core::Result<HandshakeRun> run_handshake_session(const HandshakeRequest& request);

}  // namespace tcphs::io
