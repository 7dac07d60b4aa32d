#include <fmt/format.h>

#include <cstring>

#include "tcphs/app/probe_run.hpp"
#include "tcphs/io/connect_prober.hpp"
#include "tcphs/io/stop_event.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {
namespace {

/// What TCP_INFO tells about the SYN-ACK, in the shape raw mode reports.
core::ReplyInfo reply_from(const io::ConnectResult& c) {
  core::ReplyInfo reply;
  reply.flags = core::tcp_flag::syn | core::tcp_flag::ack;
  reply.ecn = c.ecn;
  auto& o = reply.options;
  o.mss = c.mss;  // tcpi_snd_mss: the MSS the kernel sends with, not the raw option
  if (c.mss) o.kinds.push_back(core::option_kind::mss);
  o.sack_permitted = c.sack;
  if (c.sack) o.kinds.push_back(core::option_kind::sack_permitted);
  // TCP_INFO says timestamps were agreed, not their values: the reporters
  // show them without values in connect mode.
  if (c.timestamps) {
    o.timestamps = core::TcpTimestamps{};
    o.kinds.push_back(core::option_kind::timestamps);
  }
  o.wscale = c.snd_wscale;
  if (c.snd_wscale) o.kinds.push_back(core::option_kind::wscale);
  return reply;
}

}  // namespace

core::Result<core::ProbeResult> connect_probe_result(const io::ConnectResult& c, const TargetInfo& target,
                                                     std::size_t index, std::uint32_t number) {
  auto outcome = core::classify_connect_errno(c.errno_value);
  if (!outcome) return core::io_error(fmt::format("connect to {} failed: {}", target.text, std::strerror(c.errno_value)));
  core::ProbeResult r;
  r.target_index = index;
  r.number = number;
  r.attempt = c.retransmits + 1;
  r.outcome = *outcome;
  r.mode = core::ProbeMode::connect;
  r.flow = core::FlowKey{c.local, target.address, c.local_port, target.port};
  if (*outcome == core::Outcome::open) {
    r.reply = reply_from(c);
    if (c.rtt_us) r.rtt_ns = std::int64_t{*c.rtt_us} * 1000;
    r.rtt_source = core::StampSource::tcp_info;
  }
  return r;
}

core::Result<int> run_connect(const ProbePlan& plan, const ProbeSink& sink) {
  std::optional<core::IpAddress> source;
  if (plan.source) {
    source = core::IpAddress::parse(*plan.source);
    if (!source) return core::usage_error("--source: '" + *plan.source + "' is not a numeric IP address");
  }
  // The kernel retransmits on its own schedule (1 s, doubling), so the
  // total time a probe may take is what bounds it here.
  core::Duration total = plan.engine.total_timeout;
  if (total.count() == 0) {
    core::Duration rto = plan.engine.rto;
    for (std::uint32_t i = 0; i <= plan.engine.retries; ++i, rto *= 2) total += rto;
  }
  for (std::size_t i = 0; i < plan.targets.size(); ++i)
    if (sink.start) sink.start(i, "");
  // SIGINT/SIGTERM end the run between or inside rounds, keeping what has
  // its verdict, as the raw loop's signalfd does.
  io::SignalBlock signals;
  for (std::uint32_t n = 1; n <= plan.count; ++n) {
    const core::Instant round_start = io::now();
    std::vector<io::ConnectRequest> requests;
    for (const auto& t : plan.targets) {
      io::ConnectRequest req;
      req.dst = t.address;
      req.port = t.port;
      req.source = source;
      if (plan.source_port) req.source_port = *plan.source_port;
      req.interface = plan.interface;
      req.ttl = plan.syn.ttl;
      req.timeout = total;
      requests.push_back(req);
    }
    auto results = io::run_connects(requests, requests.size(), signals.fd());
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].interrupted) continue;
      if (results[i].error) return *results[i].error;
      TCPHS_TRY(r, connect_probe_result(results[i], plan.targets[i], i, n));
      sink.result(r);
    }
    if (n < plan.count) io::wait_readable_until(signals.fd(), round_start + plan.interval);
    if (const int signal = signals.take()) return signal;
  }
  return 0;
}

}  // namespace tcphs::app
