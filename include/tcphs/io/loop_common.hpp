#pragma once
/// What the event loops (the reactor, connect_prober, handshake_session) share.

#include <optional>

#include "tcphs/core/result.hpp"
#include "tcphs/core/time.hpp"

namespace tcphs::io {

/// An io error "WHAT: strerror(errno)" for the call that just failed.
core::Error sys_error(const char* what);

/// CLOCK_REALTIME now, as the user-clock stamp a send falls back on should
/// the capture miss our own SYN (the capture's stamps are CLOCK_REALTIME too).
core::Stamp user_stamp();

/// Arms the timerfd `tfd` for the absolute steady-clock instant `at` (the
/// steady clock is CLOCK_MONOTONIC on Linux, the timer's clock), or disarms
/// it when `at` is empty. An instant at or before the epoch fires at once.
void arm_timer(int tfd, std::optional<core::Instant> at);

}  // namespace tcphs::io
