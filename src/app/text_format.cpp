#include "tcphs/app/text_format.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string_view>

#include "tcphs/core/packet.hpp"

namespace tcphs::app {

std::string paint(bool on, core::Outcome o, const std::string& text) {
  if (!on) return text;
  const char* code = o == core::Outcome::open ? "32" : o == core::Outcome::refused ? "33" : "31";
  return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

std::string format_rtt(std::int64_t ns) {
  return fmt::format("{:.3f} ms", static_cast<double>(ns) / 1e6);
}

namespace {

/// Connect mode sees only what TCP_INFO reports about the negotiation.
std::string negotiated(const core::TcpOptions& o) {
  std::string s;
  auto add = [&](const std::string& item) { s += (s.empty() ? "" : ",") + item; };
  if (o.mss) add(fmt::format("mss {}", *o.mss));
  if (o.sack_permitted) add("sack");
  if (o.timestamps) add("ts");
  if (o.wscale) add(fmt::format("wscale {}", *o.wscale));
  return "negotiated=[" + s + "] (TCP_INFO)";
}

}  // namespace

std::string evidence(const core::ProbeResult& r) {
  std::string s;
  if (r.reply && r.mode == core::ProbeMode::connect) return negotiated(r.reply->options);
  if (r.reply) {
    s += "flags=" + core::flags_string(r.reply->flags);
    if (r.reply->ttl) s += fmt::format(" ttl={}", *r.reply->ttl);
    if (r.reply->window) s += fmt::format(" win={}", *r.reply->window);
    if (r.reply->isn && (r.reply->flags & core::tcp_flag::syn)) s += fmt::format(" isn={}", *r.reply->isn);
    if (r.reply->ecn) s += " ecn";
    std::string opts = core::describe_options(r.reply->options);
    if (!opts.empty()) s += " opts=[" + opts + "]";
  }
  if (r.icmp) {
    const bool v4 = r.icmp->from.family == core::Family::ipv4;
    s += fmt::format("icmp{} {}/{} from {}", v4 ? "" : "6", r.icmp->type, r.icmp->code, r.icmp->from.to_string());
  }
  return s;
}

bool want_color(ColorMode mode, int fd) {
  if (mode == ColorMode::always) return true;
  if (mode == ColorMode::never) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  // A terminal that declares itself dumb (or names no type at all, as under
  // some service managers) shows escape codes as text: ls and grep agree.
  const char* term = std::getenv("TERM");
  if (!term || !*term || std::string_view(term) == "dumb") return false;
  return isatty(fd) == 1;
}

std::string signal_name(int signo) {
  if (signo == SIGINT) return "SIGINT";
  if (signo == SIGTERM) return "SIGTERM";
  return fmt::format("signal {}", signo);
}

}  // namespace tcphs::app
