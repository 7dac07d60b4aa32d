#include "tcphs/io/scan_loop.hpp"

#include <array>

#include "tcphs/io/loop_common.hpp"
#include "tcphs/io/reactor.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::io {
namespace {

constexpr std::size_t max_batch = 64;
/// How often the capture's drop counters are read.
constexpr core::Duration stats_every = std::chrono::milliseconds(50);
/// After the kernel refused part of a batch, wait this long before the next.
constexpr core::Duration busy_pause = std::chrono::milliseconds(1);

/// Sends the engine's SYNs due now, in batches, keeping their order across
/// the two families so that "accepted" is always a prefix. Returns false
/// when the kernel refused part of a batch (the caller pauses).
core::Result<bool> send_due(core::ScanEngine& engine, const LoopIo& io, core::Instant now,
                            std::array<core::ScanSend, max_batch>& buf) {
  const std::size_t batch = std::min(io.batch, max_batch);
  for (;;) {
    const std::size_t n = engine.take_sends(now, std::span(buf.data(), batch));
    if (n == 0) return true;
    std::array<OutPacket, max_batch> out;
    std::size_t accepted = 0;
    core::Status result = core::Ok{};
    while (accepted < n) {
      // The longest run of one family starting at `accepted`.
      const core::Family family = buf[accepted].dst.family;
      std::size_t end = accepted;
      while (end < n && buf[end].dst.family == family) {
        out[end - accepted] = OutPacket{buf[end].dst, buf[end].packet()};
        ++end;
      }
      PacketSender* sender = family == core::Family::ipv4 ? io.sender_v4 : io.sender_v6;
      if (!sender) {
        result = core::Error{core::ErrorKind::internal, "no sender for this address family"};
        break;
      }
      auto report = sender->send(std::span(out.data(), end - accepted));
      if (!report) {
        result = report.error();
        break;
      }
      accepted += report->sent;
      // A scan's SYNs share one route and one firewall: a refusal ends it.
      if (report->refused) {
        result = *report->refused;
        break;
      }
      if (accepted < end) break;
    }
    engine.sent(accepted, now, user_stamp());
    if (!result) return result.error();
    if (accepted < n) return false;
    if (n < batch) return true;
  }
}

/// The capture counters, summed over every interface.
CaptureStats sum_stats(const LoopIo& io) {
  CaptureStats sum;
  for (Capture* c : io.captures) {
    const auto st = c->stats();
    sum.received += st.received;
    sum.dropped += st.dropped;
  }
  return sum;
}

/// The counters since `base` (the loop's start: a capture may have served
/// an earlier scan) to the engine.
void feed_stats(core::ScanEngine& engine, const LoopIo& io, const CaptureStats& base, core::Instant t) {
  const CaptureStats now_stats = sum_stats(io);
  engine.on_capture_drops(now_stats.dropped - std::min(base.dropped, now_stats.dropped),
                          now_stats.received - std::min(base.received, now_stats.received), t);
}

}  // namespace

core::Result<LoopEnd> run_scan(core::ScanEngine& engine, const LoopIo& io, const ScanLoopCallbacks& cb) {
  Reactor reactor;
  if (auto st = reactor.ready(); !st) return st.error();
  for (Capture* c : io.captures)
    if (auto st = reactor.watch(c->fd()); !st) return st.error();

  std::array<core::ScanSend, max_batch> buf;
  const CaptureStats base = sum_stats(io);
  core::Instant next_stats = now();
  core::Instant next_progress = now() + cb.progress_every;
  core::Instant paused_until{};  ///< no send before this (the kernel was busy)
  auto notes = [&] {
    for (const auto& line : engine.take_notes())
      if (cb.note) cb.note(line);
  };
  TCPHS_TRY(end, reactor.run([&]() -> core::Result<Turn> {
    // Order on every wake: read what arrived (a reply that raced its wait
    // still counts), then expire, then send. RTTs come from kernel stamps,
    // so the order does not bias them.
    for (Capture* c : io.captures) {
      auto n = c->drain([&](const CapturedFrame& f) { engine.on_packet(f.ip, f.stamp); });
      if (!n) return n.error();
    }
    core::Instant t = now();
    if (t >= next_stats) {
      feed_stats(engine, io, base, t);
      next_stats = t + stats_every;
    }
    engine.expire(t);
    if (t >= paused_until) {
      TCPHS_TRY(all_sent, send_due(engine, io, t, buf));
      if (!all_sent) paused_until = t + busy_pause;
    }
    notes();
    if (cb.progress && t >= next_progress) {
      cb.progress(engine);
      next_progress = t + cb.progress_every;
    }
    if (engine.done()) return Turn{true, std::nullopt};
    core::Instant wake = std::min(next_stats, engine.next_deadline(t).value_or(next_stats));
    return Turn{false, std::max(wake, paused_until)};
  }));
  if (end.signal) return end;
  // Drops counted since the last poll still have to make the summary say so.
  feed_stats(engine, io, base, now());
  notes();
  if (cb.progress) cb.progress(engine);
  return LoopEnd{0};
}

}  // namespace tcphs::io
