#pragma once
/// `tcphs handshake TARGET`: one real connection through the kernel,
/// captured and drawn as a ladder from the SYN to TIME_WAIT (SPEC §3).

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "tcphs/app/common_options.hpp"
#include "tcphs/app/handshake_ladder.hpp"
#include "tcphs/app/reporter.hpp"
#include "tcphs/core/ladder.hpp"
#include "tcphs/core/result.hpp"
#include "tcphs/io/handshake_session.hpp"

namespace tcphs::app {

struct HandshakeOptions {
  CommonOptions common;
  std::string target;
  std::optional<std::string> send;  ///< --send DATA (\n, \r, \t and \\ escapes)
  bool http = false;                ///< --http: HEAD / HTTP/1.1
  std::optional<std::string> hold;  ///< none: close at once
  std::string close = "client";
  std::string timeout = "10s";
  int retries = 2;
  bool ascii = false;
  bool wide = false;
  std::optional<std::string> svg;
};

/// Registers `handshake` on `app`; CLI11 only fills `opts`.
CLI::App* add_handshake_command(CLI::App& app, HandshakeOptions& opts);

/// Connects, captures, draws. The exit code is the SPEC §2 outcome's
/// (0 open, 1 refused, 2 timeout, 3 filtered, 4 unreachable). On SIGINT or
/// SIGTERM the run stops (see run_handshake_session), what was captured is
/// drawn or written as usual, interrupted_note() goes to stderr, no --svg
/// file is written (an older one stays), and the code is 128 + signal. Errors:
/// resolving, usage (bad durations, --send with --http, an --svg file that
/// cannot be written), permission (--mode raw without capture privilege),
/// and the session's set-up errors.
core::Result<int> run_handshake(const HandshakeOptions& opts);

/// "\n", "\r", "\t" and "\\" in --send as the bytes they name; other
/// backslashes stay as typed.
std::string unescape_payload(const std::string& text);

/// The request --http sends: "HEAD / HTTP/1.1", Host, Connection: close.
std::string http_head_request(const std::string& host);

/// Everything the reporters need about one run.
struct HandshakeReport {
  TargetInfo target;
  io::HandshakeRun run;
  core::Ladder ladder;   ///< empty without a capture
  /// None when a signal came before connect() had its answer.
  std::optional<core::Outcome> outcome = core::Outcome::timeout;
};

/// The outcome: the ladder's when it saw an answer, else the errno's; none
/// for EINPROGRESS (a signal cut connect() short before any answer).
std::optional<core::Outcome> handshake_outcome(const core::Ladder& ladder, int connect_errno);

/// "connect", "send", "hold", "close": the JSON summary's `interrupted.during`.
std::string_view phase_name(io::HandshakePhase phase);

/// The one stderr line of an interrupted run: "tcphs: interrupted by SIGINT
/// during --hold: the 7 segments captured so far are shown; no --svg file
/// written" (the last part only with `svg`; "the kernel facts so far"
/// without a capture).
std::string interrupted_note(const HandshakeReport& r, bool svg);

/// What the kernel confirmed, as lines for the text and SVG renderers.
std::vector<std::string> kernel_note_lines(const io::HandshakeRun& run, bool unicode);

/// Without a capture: the timings and TCP_INFO, labelled, and the note.
void print_handshake_facts(std::FILE* out, const HandshakeReport& r, bool unicode);

/// NDJSON: one `segment` record per ladder row, then a `summary`.
void print_handshake_json(std::FILE* out, const HandshakeReport& r);

/// The ladder as an SVG document (pugixml), for docs and bug reports.
std::string ladder_svg(const core::Ladder& ladder, const LadderContext& context);

}  // namespace tcphs::app
