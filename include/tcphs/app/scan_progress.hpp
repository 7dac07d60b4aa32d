#pragma once
/// The progress line `scan` redraws on stderr when stderr is a terminal:
/// percent of first SYNs sent, the send rate, an ETA and the replies so far.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "tcphs/core/scan_engine.hpp"

namespace tcphs::app {

struct ScanProgressState {
  std::uint64_t total = 0;       ///< (host, port) slots
  std::uint64_t first_sent = 0;
  std::uint64_t answered = 0;
  double pps = 0;                ///< SYNs per second since the last line
  core::Duration eta{};
};

/// "scan  42% 27,525/65,535  98,120 pps  ETA 0:03  replies 27,400"; after
/// the last first SYN the ETA is the wait for the last answers.
std::string progress_line(const ScanProgressState& s);

/// Draws progress_line on `out` in place ("\r" and erase to end of line).
class ProgressLine {
 public:
  explicit ProgressLine(std::FILE* out) : out_(out) {}
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void update(const core::ScanEngine& engine, core::Instant now);
  /// Erases the line (before other output, and at the end).
  void clear();

 private:
  std::FILE* out_;
  bool drawn_ = false;
  std::optional<core::Instant> last_at_;
  std::uint64_t last_sent_ = 0;
};

}  // namespace tcphs::app
