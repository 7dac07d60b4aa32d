#pragma once
/// The one event loop: an epoll over the descriptors its caller watches, a
/// timerfd for the caller's next deadline and a signalfd for SIGINT/SIGTERM.
/// The caller's turn does all the work (read what arrived, expire, send) and
/// says when to wake next; the reactor only waits. The probe engine's loop
/// and the scan loop run on it.

#include <functional>
#include <optional>

#include "tcphs/core/result.hpp"
#include "tcphs/core/time.hpp"
#include "tcphs/io/stop_event.hpp"
#include "tcphs/io/unique_fd.hpp"

namespace tcphs::io {

/// How a run ended.
struct LoopEnd {
  int signal = 0;  ///< 0 when the work finished; else SIGINT or SIGTERM
};

/// What one turn asks of the reactor.
struct Turn {
  bool done = false;                  ///< the work is finished: run returns
  std::optional<core::Instant> wake;  ///< the next deadline; none: wait for a descriptor
};

class Reactor {
 public:
  /// Blocks SIGINT and SIGTERM for the reactor's lifetime (SignalBlock), so
  /// that a signal ends the run through `run` instead of killing the process.
  Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  /// The set-up's error: epoll, the timerfd or the signalfd could not be made.
  core::Status ready() const;
  /// Wakes the loop whenever `fd` is readable (level-triggered: the turn
  /// must read until the descriptor would block).
  core::Status watch(int fd);

  /// Calls `turn` at once and after every wake until it returns done (then
  /// LoopEnd{0}) or fails (its error). A SIGINT/SIGTERM that is pending at a
  /// wake ends the run with LoopEnd{signal} before the next turn.
  core::Result<LoopEnd> run(const std::function<core::Result<Turn>()>& turn);

 private:
  SignalBlock signals_;
  UniqueFd epoll_;
  UniqueFd timer_;
  int setup_errno_ = 0;  ///< why the constructor's set-up failed, or 0
};

}  // namespace tcphs::io
