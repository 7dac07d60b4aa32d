#include "tcphs/app/raw_session.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <map>

#include "tcphs/io/system.hpp"

namespace tcphs::app {
namespace {

/// BPF for one interface: TCP with any of our destinations, and ICMP errors
/// to any of our source addresses (a router may answer from anywhere).
std::string capture_filter(const std::vector<core::IpAddress>& remotes, const std::vector<core::IpAddress>& locals) {
  std::string tcp, icmp;
  for (const auto& r : remotes) tcp += (tcp.empty() ? "" : " or ") + fmt::format("host {}", r.to_string());
  for (const auto& l : locals) icmp += (icmp.empty() ? "" : " or ") + fmt::format("dst host {}", l.to_string());
  return fmt::format("(tcp and ({})) or ((icmp or icmp6) and ({}))", tcp, icmp);
}

/// TCPHS_CAPTURE_BUFFER_BYTES (a positive number) replaces the capture
/// buffer size: tests use it to force a tiny ring that overflows.
int capture_buffer(int configured) {
  const char* env = std::getenv("TCPHS_CAPTURE_BUFFER_BYTES");
  if (!env || !*env) return configured;
  int bytes = 0;
  const auto [end, ec] = std::from_chars(env, env + std::strlen(env), bytes);
  return ec == std::errc{} && *end == '\0' && bytes > 0 ? bytes : configured;
}

}  // namespace

core::Result<std::unique_ptr<RawSession>> RawSession::open(const std::vector<core::IpAddress>& destinations,
                                                           const RawSessionConfig& config) {
  std::optional<core::IpAddress> source;
  if (config.source) {
    source = core::IpAddress::parse(*config.source);
    if (!source) return core::usage_error("--source: '" + *config.source + "' is not a numeric IP address");
  }
  const auto key = io::random_key();
  const auto [eph_low, eph_high] = io::local_port_range();
  std::unique_ptr<RawSession> s(new RawSession(core::CookieKey(key), core::PortPool(eph_low, eph_high,
                                                                                     std::uint32_t{key[0]} << 8 | key[1])));
  s->config_ = config;

  // Routes first: they name the capture interfaces and the source addresses.
  std::map<std::string, std::pair<std::vector<core::IpAddress>, std::vector<core::IpAddress>>> per_interface;
  for (const auto& dst : destinations) {
    if (source && source->family != dst.family)
      return core::usage_error("--source " + *config.source + " is not of the same family as " + dst.to_string());
    TCPHS_TRY(route, io::lookup_route(dst, source, config.interface));
    auto& [remotes, locals] = per_interface[route.interface];
    remotes.push_back(dst);
    locals.push_back(route.source);
    s->routes_.push_back(std::move(route));
  }

  // Open everything that needs CAP_NET_RAW, then give every capability up.
  for (const auto& [name, addrs] : per_interface) {
    io::CaptureConfig cfg;
    cfg.interface = name;
    cfg.filter = capture_filter(addrs.first, addrs.second);
    cfg.immediate = config.immediate_capture;
    // A TPACKET_V3 ring retires a block per timeout even when it holds one
    // packet, so a ring of N blocks buffers only N timeouts at a low rate
    // (libpcap makes 256 KB blocks: 16 in 4 MB). 5 ms gives a reader that a
    // busy machine delays 80 ms; the scan's waits are longer than that.
    if (!config.immediate_capture) cfg.block_timeout_ms = 5;
    cfg.buffer_bytes = capture_buffer(config.capture_buffer_bytes);
    TCPHS_TRY(capture, io::open_capture(cfg));
    s->captures_.push_back(std::move(capture));
    if (config.verbose && config.notice) config.notice(fmt::format("capturing on {}: {}", name, cfg.filter));
  }
  for (const auto& dst : destinations) {
    auto& sender = dst.family == core::Family::ipv4 ? s->v4_ : s->v6_;
    if (sender) continue;
    TCPHS_TRY(opened, io::open_raw_sender(dst.family, config.interface));
    sender = std::move(opened);
  }
  if (auto dropped = io::drop_all_capabilities(); !dropped) return dropped.error();
  return s;
}

std::uint16_t RawSession::default_mss(std::size_t i) const {
  // ipv4_default_advmss / ip6_default_advmss: the route MTU less the IP and
  // TCP headers, the IPv4 MTU capped at 65535, so lo gives 65495 and 65476.
  const auto family = routes_[i].source.family;
  const std::uint32_t headers = family == core::Family::ipv4 ? 40 : 60;
  std::uint32_t mtu = routes_[i].mtu;
  if (family == core::Family::ipv4) mtu = std::min<std::uint32_t>(mtu, 65535);
  if (mtu <= headers + 536) return 536;
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(mtu - headers, 65535));
}

io::CaptureStats RawSession::capture_stats() const {
  io::CaptureStats total;
  for (const auto& c : captures_) {
    auto st = c->stats();
    total.received += st.received;
    total.dropped += st.dropped;
  }
  return total;
}

core::Result<int> RawSession::run(core::Engine& engine, const io::LoopCallbacks& callbacks) {
  std::vector<io::Capture*> ptrs;
  for (auto& c : captures_) ptrs.push_back(c.get());
  io::LoopIo loop_io{ptrs, v4_.get(), v6_.get()};
  TCPHS_TRY(end, io::run_engine(engine, loop_io, callbacks));
  const auto st = capture_stats();
  if (st.dropped && config_.notice)
    config_.notice(fmt::format("warning: the capture dropped {} packets; some results may be wrong", st.dropped));
  if (config_.verbose && config_.notice) {
    const auto& c = engine.counters();
    config_.notice(fmt::format("engine: {} packets seen, {} matched, {} ignored, {} undecodable", c.packets, c.matched,
                               c.ignored, c.undecodable));
  }
  return end.signal;
}

core::Result<int> RawSession::run(core::ScanEngine& engine, const io::ScanLoopCallbacks& callbacks) {
  std::vector<io::Capture*> ptrs;
  for (auto& c : captures_) ptrs.push_back(c.get());
  io::LoopIo loop_io{ptrs, v4_.get(), v6_.get()};
  TCPHS_TRY(end, io::run_scan(engine, loop_io, callbacks));
  return end.signal;
}

}  // namespace tcphs::app
