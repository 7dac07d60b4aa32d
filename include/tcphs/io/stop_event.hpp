#pragma once
/// What a run with a worker thread needs to stop on a signal: an event the
/// worker can wait on, and SIGINT/SIGTERM held back for a signalfd.

#include <signal.h>

#include "tcphs/core/time.hpp"
#include "tcphs/io/unique_fd.hpp"

namespace tcphs::io {

/// Waits until `fd` is readable (true) or `deadline` passes (false).
bool wait_readable_until(int fd, core::Instant deadline);

/// A flag raised once by one thread and seen by others: an eventfd, so a
/// worker's poll or epoll wakes the moment it is raised.
class StopEvent {
 public:
  StopEvent();
  int fd() const { return fd_.get(); }
  void raise();
  bool raised() const;
  /// Sleeps until `deadline` or until raised; true when raised.
  bool wait_until(core::Instant deadline) const;

 private:
  UniqueFd fd_;
};

/// Blocks SIGINT and SIGTERM in the calling thread for its lifetime, and
/// reads them from a signalfd. Threads started meanwhile inherit the block,
/// so the signals stay pending for the event loop's signalfd or this one,
/// instead of killing the process in whichever thread the kernel picked.
class SignalBlock {
 public:
  SignalBlock();
  ~SignalBlock();
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;
  /// Readable while SIGINT or SIGTERM is pending.
  int fd() const { return fd_.get(); }
  /// The pending signal's number, consumed, or 0.
  int take() const;
  /// Waits until `done` is raised (returns 0) or SIGINT/SIGTERM arrives
  /// (returns its number).
  int wait(const StopEvent& done) const;

 private:
  sigset_t set_{}, old_{};
  UniqueFd fd_;
};

}  // namespace tcphs::io
