#include <fmt/format.h>

#include <map>
#include <memory>

#include "tcphs/app/probe_run.hpp"
#include "tcphs/core/packet.hpp"
#include "tcphs/core/port_pool.hpp"
#include "tcphs/io/engine_loop.hpp"
#include "tcphs/io/route.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {
namespace {

/// Linux's MSS for a SYN: the route MTU less the IP and TCP headers, with
/// the MTU capped at the largest IP packet (ipv4_default_advmss and
/// ip6_default_advmss), so lo's 65536 gives 65495 and 65476.
std::uint16_t mss_for(std::uint32_t mtu, core::Family f) {
  const std::uint32_t headers = f == core::Family::ipv4 ? 40 : 60;
  if (f == core::Family::ipv4) mtu = std::min<std::uint32_t>(mtu, 65535);
  if (mtu <= headers + 536) return 536;
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(mtu - headers, 65535));
}

/// The options of `syn` as they will be on the wire, decoded back; the
/// timestamp values differ per probe, so they are left out.
std::string describe_syn(const core::SynSpec& syn) {
  auto decoded = core::decode_packet(core::craft_syn(syn));
  const auto* p = std::get_if<core::Packet>(&decoded);
  if (!p || !p->tcp()) return "";
  auto options = p->tcp()->options;
  std::string text = core::describe_options(options);
  if (options.timestamps) {
    const std::string ts = fmt::format("ts {}/{}", options.timestamps->val, options.timestamps->ecr);
    if (auto at = text.find(ts); at != std::string::npos) text.replace(at, ts.size(), "ts");
  }
  return text;
}

/// BPF for one interface: TCP with any of our targets, and ICMP errors to
/// any of our source addresses (a router may answer from anywhere).
std::string capture_filter(const std::vector<core::IpAddress>& remotes, const std::vector<core::IpAddress>& locals) {
  std::string tcp, icmp;
  for (const auto& r : remotes) tcp += (tcp.empty() ? "" : " or ") + fmt::format("host {}", r.to_string());
  for (const auto& l : locals) icmp += (icmp.empty() ? "" : " or ") + fmt::format("dst host {}", l.to_string());
  return fmt::format("(tcp and ({})) or ((icmp or icmp6) and ({}))", tcp, icmp);
}

}  // namespace

core::Result<int> run_raw(const ProbePlan& plan, const ProbeSink& sink) {
  std::optional<core::IpAddress> source;
  if (plan.source) {
    source = core::IpAddress::parse(*plan.source);
    if (!source) return core::usage_error("--source: '" + *plan.source + "' is not a numeric IP address");
  }

  // Routes first: they name the capture interfaces and the source addresses.
  std::vector<io::Route> routes;
  for (const auto& t : plan.targets) {
    if (source && source->family != t.address.family)
      return core::usage_error("--source " + *plan.source + " is not of the same family as " + t.text);
    TCPHS_TRY(route, io::lookup_route(t.address, source, plan.interface));
    routes.push_back(std::move(route));
  }
  std::map<std::string, std::pair<std::vector<core::IpAddress>, std::vector<core::IpAddress>>> per_interface;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    auto& [remotes, locals] = per_interface[routes[i].interface];
    remotes.push_back(plan.targets[i].address);
    locals.push_back(routes[i].source);
  }

  // Open everything that needs CAP_NET_RAW, then give every capability up.
  std::vector<std::unique_ptr<io::Capture>> captures;
  std::vector<io::Capture*> capture_ptrs;
  for (const auto& [name, addrs] : per_interface) {
    io::CaptureConfig cfg;
    cfg.interface = name;
    cfg.filter = capture_filter(addrs.first, addrs.second);
    TCPHS_TRY(capture, io::open_capture(cfg));
    capture_ptrs.push_back(capture.get());
    captures.push_back(std::move(capture));
    if (plan.verbose) sink.notice(fmt::format("capturing on {}: {}", name, cfg.filter));
  }
  std::unique_ptr<io::PacketSender> v4, v6;
  for (const auto& t : plan.targets) {
    auto& sender = t.address.family == core::Family::ipv4 ? v4 : v6;
    if (sender) continue;
    TCPHS_TRY(opened, io::open_raw_sender(t.address.family, plan.interface));
    sender = std::move(opened);
  }
  if (auto dropped = io::drop_all_capabilities(); !dropped) return dropped.error();

  const auto key = io::random_key();
  core::Engine engine(plan.engine, core::CookieKey(key));
  const auto [eph_low, eph_high] = io::local_port_range();
  core::PortPool ports(eph_low, eph_high, std::uint32_t{key[0]} << 8 | key[1]);
  const core::Instant start = io::now();
  std::vector<std::string> syn_text(plan.targets.size());
  for (std::size_t i = 0; i < plan.targets.size(); ++i) {
    core::SynSpec syn = plan.syn;
    syn.flow.local = routes[i].source;
    syn.flow.remote = plan.targets[i].address;
    syn.flow.remote_port = plan.targets[i].port;
    if (plan.default_mss && syn.options.mss) syn.options.mss = mss_for(routes[i].mtu, syn.flow.remote.family);
    syn_text[i] = describe_syn(syn);
    for (std::uint32_t n = 1; n <= plan.count; ++n) {
      syn.flow.local_port = plan.source_port ? *plan.source_port : ports.next();
      core::ProbeRequest req{i, n, syn, start + plan.interval * (n - 1)};
      engine.add(req);
    }
  }
  io::LoopIo loop_io{capture_ptrs, v4.get(), v6.get()};
  // A target's header is printed once its first SYN is out, so an error
  // before that (a local firewall's EPERM) leaves stdout empty.
  std::vector<bool> started(plan.targets.size());
  io::LoopCallbacks callbacks{sink.result, [&](const core::Send& s) {
                                if (started[s.target_index] || !sink.start) return;
                                started[s.target_index] = true;
                                sink.start(s.target_index, syn_text[s.target_index]);
                              }};
  TCPHS_TRY(end, io::run_engine(engine, loop_io, callbacks));
  for (auto* c : capture_ptrs) {
    auto st = c->stats();
    if (st.dropped) sink.notice(fmt::format("warning: the capture dropped {} packets; some results may be wrong", st.dropped));
  }
  if (plan.verbose) {
    const auto& c = engine.counters();
    sink.notice(fmt::format("engine: {} packets seen, {} matched, {} ignored, {} undecodable", c.packets,
                            c.matched, c.ignored, c.undecodable));
  }
  return end.signal;
}

}  // namespace tcphs::app
