#include "tcphs/app/scan_progress.hpp"

#include <fmt/format.h>

#include "tcphs/app/scan_report.hpp"

namespace tcphs::app {

std::string progress_line(const ScanProgressState& s) {
  const double fraction = s.total ? static_cast<double>(s.first_sent) / static_cast<double>(s.total) : 1.0;
  const auto eta_s = std::chrono::duration_cast<std::chrono::seconds>(s.eta).count();
  return fmt::format("scan {:3.0f}% {}/{}  {} pps  ETA {}:{:02}  replies {}", fraction * 100,
                     group_digits(s.first_sent), group_digits(s.total),
                     group_digits(static_cast<std::uint64_t>(s.pps + 0.5)), eta_s / 60, eta_s % 60,
                     group_digits(s.answered));
}

void ProgressLine::update(const core::ScanEngine& engine, core::Instant now) {
  const auto& c = engine.counters();
  const std::uint64_t sent = c.first_sent + c.retransmitted;
  ScanProgressState s;
  s.total = engine.total();
  s.first_sent = c.first_sent;
  s.answered = c.answered;
  if (last_at_ && now > *last_at_)
    s.pps = static_cast<double>(sent - last_sent_) / std::chrono::duration<double>(now - *last_at_).count();
  const double left = static_cast<double>(s.total - std::min(s.total, c.first_sent));
  s.eta = std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(left / engine.rate())) +
          2 * engine.wait();
  last_at_ = now;
  last_sent_ = sent;
  fmt::print(out_, "\r{}\x1b[K", progress_line(s));
  std::fflush(out_);
  drawn_ = true;
}

void ProgressLine::clear() {
  if (!drawn_) return;
  fmt::print(out_, "\r\x1b[K");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace tcphs::app
