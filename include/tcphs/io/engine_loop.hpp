#pragma once
/// The probe engine run on the reactor: every wake reads the capture(s),
/// then expires and sends what the engine has due.

#include <functional>
#include <span>

#include "tcphs/core/engine.hpp"
#include "tcphs/io/capture.hpp"
#include "tcphs/io/raw_sender.hpp"
#include "tcphs/io/reactor.hpp"

namespace tcphs::io {

struct LoopIo {
  std::span<Capture* const> captures;  ///< one per egress interface
  PacketSender* sender_v4 = nullptr;   ///< may be null when no IPv4 target
  PacketSender* sender_v6 = nullptr;
  std::size_t batch = 64;              ///< packets per sendmmsg
};

struct LoopCallbacks {
  /// Each result, as soon as it is reached.
  std::function<void(const core::ProbeResult&)> on_result;
  /// Each packet the kernel accepted (optional).
  std::function<void(const core::Send&)> on_sent;
  /// A SYN the kernel refused for a reason of this host (optional; see
  /// SendReport::refused). When set, the engine ends that probe with the
  /// outcome connect() gives for the errno, this is called, and the run goes
  /// on; when not, the refusal ends the run as its error.
  std::function<void(const core::Send&, const core::Error&)> on_refused = nullptr;
};

/// Runs `engine` until every probe has a result or a signal arrives.
core::Result<LoopEnd> run_engine(core::Engine& engine, const LoopIo& io, const LoopCallbacks& callbacks);

}  // namespace tcphs::io
