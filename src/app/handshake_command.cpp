#include "tcphs/app/handshake_command.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "tcphs/app/target_resolution.hpp"
#include "tcphs/app/text_format.hpp"
#include "tcphs/core/duration.hpp"
#include "tcphs/io/atomic_file.hpp"
#include "tcphs/io/route.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {

CLI::App* add_handshake_command(CLI::App& app, HandshakeOptions& o) {
  auto* cmd = app.add_subcommand("handshake", "One real connection, captured and drawn as a ladder: SYN to TIME_WAIT");
  cmd->footer(
      "The connection is the kernel's own connect(). With capture rights (CAP_NET_RAW) every\n"
      "segment is captured on the route's interface and drawn; without them only the timings\n"
      "and TCP_INFO are shown. Server states are inferred from the segments.\n"
      "Examples:\n"
      "  tcphs handshake www.example.net:80 --http\n"
      "  tcphs handshake --send 'hello\\n' --hold 1s 10.0.0.5:7\n"
      "  tcphs handshake --close server --json 10.0.0.5:25\n"
      "  tcphs handshake --svg ladder.svg [2001:db8::10]:443");
  cmd->add_option("target", o.target, "HOST:PORT, [IPV6]:PORT or HOST:SERVICE")->required();
  add_common_options(*cmd, o.common);
  auto* send = cmd->add_option("--send", o.send, "Send DATA once connected (\\n, \\r, \\t, \\\\ escapes)");
  cmd->add_flag("--http", o.http, "Send a minimal 'HEAD / HTTP/1.1' request")->excludes(send);
  cmd->add_option("--hold", o.hold, "Keep the connection open this long before closing (e.g. 500ms)");
  cmd->add_option("--close", o.close, "Who sends the first FIN: client, or wait for the server")
      ->check(CLI::IsMember({"client", "server"}))
      ->capture_default_str();
  cmd->add_option("-W,--timeout", o.timeout, "Time allowed for connect(), and for the server's FIN")
      ->capture_default_str();
  cmd->add_option("--retries", o.retries, "SYN retransmissions before the kernel gives up (TCP_SYNCNT)")
      ->check(CLI::Range(1, 10))
      ->capture_default_str();
  cmd->add_flag("--ascii", o.ascii, "Draw with ASCII even in a UTF-8 locale");
  cmd->add_flag("--wide", o.wide, "A wider ladder: absolute and relative numbers, full options");
  cmd->add_option("--svg", o.svg, "Also write the ladder as an SVG picture to FILE");
  return cmd;
}

std::string unescape_payload(const std::string& t) {
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '\\' || i + 1 == t.size()) {
      out += t[i];
      continue;
    }
    switch (t[i + 1]) {
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case '\\': out += '\\'; break;
      default: out += t[i]; continue;
    }
    ++i;
  }
  return out;
}

std::string http_head_request(const std::string& host) {
  return fmt::format("HEAD / HTTP/1.1\r\nHost: {}\r\nUser-Agent: tcphs\r\nConnection: close\r\n\r\n", host);
}

std::optional<core::Outcome> handshake_outcome(const core::Ladder& ladder, int connect_errno) {
  if (!ladder.rows.empty() && ladder.notes.end != core::LadderEnd::no_reply) return ladder.notes.outcome;
  if (connect_errno == 0) return core::Outcome::open;
  if (connect_errno == EINPROGRESS) return std::nullopt;
  return core::classify_connect_errno(connect_errno).value_or(core::Outcome::timeout);
}

namespace {

/// The host part of the target as typed, for the Host header.
std::string host_of(const std::string& target) {
  const auto colon = target.rfind(':');
  return colon == std::string::npos ? target : target.substr(0, colon);
}

core::Result<io::HandshakeRequest> make_request(const HandshakeOptions& o, const TargetInfo& t) {
  io::HandshakeRequest r;
  r.dst = t.address;
  r.port = t.port;
  std::optional<core::IpAddress> source;
  if (o.common.source) {
    source = core::IpAddress::parse(*o.common.source);
    if (!source) return core::usage_error(fmt::format("--source '{}' is not a numeric address", *o.common.source));
  }
  TCPHS_TRY(route, io::lookup_route(t.address, source, o.common.interface));
  r.source = route.source;
  r.capture_interface = route.interface;
  r.bind_device = o.common.interface;
  if (o.common.source_port) r.source_port = static_cast<std::uint16_t>(*o.common.source_port);
  r.ttl = o.common.ttl;
  r.tos = o.common.tos;
  if (o.http) r.payload = http_head_request(host_of(t.text));
  if (o.send) r.payload = unescape_payload(*o.send);
  if (o.hold) {
    TCPHS_TRY(hold, core::parse_duration(*o.hold, "--hold"));
    r.hold = hold;
  }
  TCPHS_TRY(timeout, core::parse_duration(o.timeout, "--timeout"));
  if (timeout.count() <= 0) return core::usage_error("--timeout must be positive");
  r.timeout = timeout;
  r.close = o.close == "server" ? io::CloseBy::server : io::CloseBy::client;
  r.syn_retries = o.retries;
  return r;
}

bool want_unicode(const HandshakeOptions& o) {
  return !o.ascii && utf8_locale_from(std::getenv("LC_ALL"), std::getenv("LC_CTYPE"), std::getenv("LANG"));
}

}  // namespace

core::Result<int> run_handshake(const HandshakeOptions& o) {
  TCPHS_TRY(targets, resolve_targets({o.target}, {o.common.ipv4_only, o.common.ipv6_only, false}));
  HandshakeReport report;
  report.target = targets.front();
  TCPHS_TRY(request, make_request(o, report.target));
  const bool privileged = io::have_net_raw();
  if (o.common.mode == ModeChoice::raw && !privileged)
    return core::Error{core::ErrorKind::permission,
                       fmt::format("capturing the handshake needs CAP_NET_RAW; {}", io::net_raw_hint)};
  request.capture = privileged && o.common.mode != ModeChoice::connect;
  if (o.svg && !request.capture)
    return core::usage_error("--svg draws the captured ladder, and there is no capture (CAP_NET_RAW, --mode)");
  if (o.svg)
    if (auto st = io::check_output_path(*o.svg, "--svg"); !st) return st.error();
  if (!request.capture && !o.common.quiet)
    fmt::print(stderr, "tcphs: {}: only connect() timings and TCP_INFO are shown, no ladder\n",
               privileged ? "--mode connect" : "no capture privilege (CAP_NET_RAW)");
  TCPHS_TRY(run, io::run_handshake_session(request));
  report.run = std::move(run);

  if (report.run.captured) {
    std::vector<StampedBytes> bytes;
    for (const auto& f : report.run.frames) bytes.push_back({f.ip, f.stamp.ns});
    std::optional<core::FlowKey> client = report.run.flow;
    report.ladder = core::build_ladder(segments_of(bytes, client));
  }
  // connect() timed out and not one SYN reached the interface: this host's
  // own firewall (an output drop) kept them in. (A neighbour that does not
  // answer ARP/ND also keeps the SYN in, but ends in EHOSTUNREACH.)
  if (report.run.captured && report.run.connect_errno == ETIMEDOUT && report.ladder.rows.empty())
    return core::Error{core::ErrorKind::local_firewall,
                       fmt::format("no SYN to {} left this host on {}: a local firewall dropped them (connect(): {})",
                                   endpoint_text(report.run.flow.remote, report.run.flow.remote_port),
                                   request.capture_interface, std::strerror(report.run.connect_errno))};
  report.outcome = handshake_outcome(report.ladder, report.run.connect_errno);

  const bool unicode = want_unicode(o);
  const int signal = report.run.signal;
  LadderContext context{endpoint_text(report.run.flow.local, report.run.flow.local_port),
                        endpoint_text(report.run.flow.remote, report.run.flow.remote_port),
                        kernel_note_lines(report.run, unicode), signal != 0};
  // Interrupted: no picture of half an exchange where a whole one is expected.
  if (o.svg && !signal)
    if (auto st = io::write_file_atomically(*o.svg, ladder_svg(report.ladder, context)); !st) return st.error();
  if (o.common.json) {
    print_handshake_json(stdout, report);
  } else if (report.run.captured && o.common.quiet) {
    for (const auto& line : ladder_annotations(report.ladder, unicode, context.interrupted))
      fmt::print(stdout, "{}\n", line);
    for (const auto& line : context.kernel_notes) fmt::print(stdout, "{}\n", line);
  } else if (report.run.captured) {
    const LadderStyle style{unicode, want_color(o.common.color, 1), o.wide};
    fmt::print(stdout, "{}", render_ladder(report.ladder, context, style));
  } else {
    print_handshake_facts(stdout, report, unicode);
  }
  std::fflush(stdout);
  if (signal) {
    fmt::print(stderr, "{}\n", interrupted_note(report, o.svg.has_value()));
    return 128 + signal;
  }
  return core::outcome_info(*report.outcome).exit_code;
}

}  // namespace tcphs::app
