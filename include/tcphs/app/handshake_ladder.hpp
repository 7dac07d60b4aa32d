#pragma once
/// Drawing the ladder of `tcphs handshake`: client and server columns, time
/// flowing down, one arrow per segment (core/ladder.hpp has the model).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/ladder.hpp"

namespace tcphs::app {

struct LadderStyle {
  bool unicode = true;  ///< box drawing (│ ─ ► ◄) rather than ASCII (| - > <)
  bool color = false;   ///< ANSI colour per direction: out cyan, in yellow
  bool wide = false;    ///< 80 columns, or a wider lane with absolute and relative numbers on one line
};

/// What the drawing says around the ladder itself.
struct LadderContext {
  std::string client;  ///< "10.77.1.2:41824", "[fd00::2]:41824"
  std::string server;
  /// Lines printed after the annotations: what the kernel confirmed
  /// (TCP_INFO state, TIME_WAIT timer), each one line of at most 78 columns.
  std::vector<std::string> kernel_notes;
  /// A signal cut the run short: a SYN without an answer is no timeout yet.
  bool interrupted = false;
};

/// The lane's inner width for a style: 41 columns (80 in all), 71 with --wide.
int lane_width(const LadderStyle& style);

/// The ladder as text, every line ending in '\n': a title, the column
/// heads, the initial states, then per segment an arrow line (time offset
/// in µs from the first SYN, the flags, marks, each side's new state) and
/// detail lines (relative seq/ack and length, absolute seq/ack, options on
/// SYNs), then the annotations. Without --wide no line is wider than 80
/// columns. Server states carry a '*' and the footnote says they are inferred.
std::string render_ladder(const core::Ladder& ladder, const LadderContext& context, const LadderStyle& style);

/// The annotation lines alone (no newline): RTT before the client may send,
/// the ack = ISN+1 check, negotiated options, SYN attempts and backoff, the
/// answer; shared by the text and SVG renderers. `interrupted`: a missing
/// answer is said to be missing when the run stopped, not a timeout.
std::vector<std::string> ladder_annotations(const core::Ladder& ladder, bool unicode, bool interrupted);

/// Options in a few words: "mss 1460 sack ts wscale 7" (timestamps values
/// left out), for an 80-column lane.
std::string compact_options(const core::TcpOptions& o);

/// True when LC_ALL, else LC_CTYPE, else LANG names a UTF-8 codeset.
bool utf8_locale_from(const char* lc_all, const char* lc_ctype, const char* lang);

/// "host:port", "[v6]:port".
std::string endpoint_text(const core::IpAddress& a, std::uint16_t port);

/// A capture's frames (IP header first) as the segments of one connection:
/// `client` when given, else the sender of the first SYN. Frames of other
/// flows and undecodable ones are skipped.
struct StampedBytes {
  std::span<const std::uint8_t> ip;
  std::int64_t stamp_ns = 0;
};
std::vector<core::Segment> segments_of(std::span<const StampedBytes> frames, std::optional<core::FlowKey>& client);

}  // namespace tcphs::app
