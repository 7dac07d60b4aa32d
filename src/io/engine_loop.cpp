#include "tcphs/io/engine_loop.hpp"

#include <fmt/format.h>

#include <string>

#include "tcphs/io/loop_common.hpp"
#include "tcphs/io/reactor.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::io {
namespace {

/// The outcome connect() reports for the errno behind a local refusal.
core::Outcome refused_outcome(const core::Error& why) {
  return why.kind == core::ErrorKind::local_firewall ? core::Outcome::filtered : core::Outcome::unreachable;
}

/// Sends one family's packets, `sends[i]` for each `packets[i]`; a refused
/// packet ends its probe (when the caller takes refusals) and the rest go on.
core::Status send_family(core::Engine& engine, PacketSender* sender, std::span<const core::Send* const> sends,
                         std::span<const OutPacket> packets, const LoopCallbacks& cb) {
  if (!sender) return core::Error{core::ErrorKind::internal, "no sender for this address family"};
  std::size_t at = 0;
  while (at < packets.size()) {
    TCPHS_TRY(report, sender->send(packets.subspan(at)));
    const core::Stamp stamp = user_stamp();  // the fallback, should the capture miss our SYN
    for (std::size_t i = at; i < at + report.sent; ++i) {
      engine.on_sent(sends[i]->id, sends[i]->attempt, stamp);
      if (cb.on_sent) cb.on_sent(*sends[i]);
    }
    at += report.sent;
    if (report.refused) {
      if (!cb.on_refused) return *report.refused;
      engine.on_refused(sends[at]->id, sends[at]->attempt, refused_outcome(*report.refused));
      cb.on_refused(*sends[at], *report.refused);
      ++at;
    } else if (at < packets.size()) {
      // The sender retried EINTR/EAGAIN/ENOBUFS and the kernel stayed busy:
      // say so, rather than count the rest as sent and report timeouts.
      return core::io_error(fmt::format("sending to {} stalled: the socket or device queue stayed full "
                                        "(EAGAIN/ENOBUFS); {} of {} SYNs not sent",
                                        packets[at].dst.to_string(), packets.size() - at, packets.size()));
    }
  }
  return core::Ok{};
}

core::Status send_all(core::Engine& engine, const LoopIo& io, const LoopCallbacks& cb, core::Instant now) {
  for (;;) {
    auto sends = engine.take_sends(now, io.batch);
    if (sends.empty()) return core::Ok{};
    std::vector<const core::Send*> of_v4, of_v6;
    std::vector<OutPacket> v4, v6;
    for (const auto& s : sends) {
      const bool is_v4 = s.dst.family == core::Family::ipv4;
      (is_v4 ? of_v4 : of_v6).push_back(&s);
      (is_v4 ? v4 : v6).push_back({s.dst, s.packet});
    }
    if (!v4.empty())
      if (auto st = send_family(engine, io.sender_v4, of_v4, v4, cb); !st) return st;
    if (!v6.empty())
      if (auto st = send_family(engine, io.sender_v6, of_v6, v6, cb); !st) return st;
    if (sends.size() < io.batch) return core::Ok{};
  }
}

}  // namespace

core::Result<LoopEnd> run_engine(core::Engine& engine, const LoopIo& io, const LoopCallbacks& cb) {
  Reactor reactor;
  if (auto st = reactor.ready(); !st) return st.error();
  for (Capture* c : io.captures)
    if (auto st = reactor.watch(c->fd()); !st) return st.error();

  auto deliver = [&] {
    for (const auto& r : engine.take_results()) cb.on_result(r);
  };
  TCPHS_TRY(end, reactor.run([&]() -> core::Result<Turn> {
    // Order on every wake: read what arrived, then expire and send. The
    // stamps come from the kernel, so the order does not bias RTTs; reading
    // first means a reply that raced its RTO still counts.
    for (Capture* c : io.captures) {
      auto n = c->drain([&](const CapturedFrame& f) { engine.on_packet(f.ip, f.stamp); });
      if (!n) return n.error();
    }
    if (auto st = send_all(engine, io, cb, now()); !st) return st.error();
    deliver();
    return Turn{engine.done(), engine.next_deadline()};
  }));
  if (end.signal == 0) deliver();
  return end;
}

}  // namespace tcphs::io
