#include "tcphs/io/scan_loop.hpp"

#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <array>
#include <cerrno>

#include "tcphs/io/loop_common.hpp"
#include "tcphs/io/stop_event.hpp"
#include "tcphs/io/system.hpp"
#include "tcphs/io/unique_fd.hpp"

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
  const SignalBlock signals;  // SIGINT/SIGTERM for the loop's lifetime arrive on its signalfd
  UniqueFd ep{epoll_create1(EPOLL_CLOEXEC)};
  UniqueFd timer{timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)};
  if (!ep.valid() || !timer.valid() || signals.fd() < 0) return sys_error("scan loop set-up");
  auto watch = [&](int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    return epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
  };
  if (!watch(timer.get()) || !watch(signals.fd())) return sys_error("epoll_ctl");
  for (Capture* c : io.captures)
    if (!watch(c->fd())) return sys_error("epoll_ctl(capture)");

  std::array<core::ScanSend, max_batch> buf;
  const CaptureStats base = sum_stats(io);
  core::Instant next_stats = now();
  core::Instant next_progress = now() + cb.progress_every;
  core::Instant paused_until{};  ///< no send before this (the kernel was busy)
  auto notes = [&] {
    for (const auto& line : engine.take_notes())
      if (cb.note) cb.note(line);
  };
  while (!engine.done()) {
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
    if (engine.done()) break;
    core::Instant wake = std::min(next_stats, engine.next_deadline(t).value_or(next_stats));
    wake = std::max(wake, paused_until);
    arm_timer(timer.get(), wake);
    epoll_event events[8];
    const int n = epoll_wait(ep.get(), events, 8, -1);
    if (n < 0 && errno != EINTR) return sys_error("epoll_wait");
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == signals.fd()) {
        if (const int signal = signals.take()) return LoopEnd{signal};
      } else if (events[i].data.fd == timer.get()) {
        std::uint64_t ticks = 0;
        [[maybe_unused]] auto r = ::read(timer.get(), &ticks, sizeof ticks);
      }
    }
  }
  // Drops counted since the last poll still have to make the summary say so.
  feed_stats(engine, io, base, now());
  notes();
  if (cb.progress) cb.progress(engine);
  return LoopEnd{0};
}

}  // namespace tcphs::io
