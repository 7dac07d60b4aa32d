#pragma once
/// The event loop around the scan engine, the sibling of run_engine for
/// core::ScanEngine: epoll over the capture(s), a timerfd for the engine's
/// next deadline and a signalfd for SIGINT/SIGTERM. SYNs leave in sendmmsg
/// batches straight from the engine's fixed buffer.

#include <functional>
#include <span>

#include "tcphs/core/scan_engine.hpp"
#include "tcphs/io/capture.hpp"
#include "tcphs/io/engine_loop.hpp"
#include "tcphs/io/raw_sender.hpp"

namespace tcphs::io {

struct ScanLoopCallbacks {
  /// Called about every `progress_every` while the scan runs (optional).
  std::function<void(const core::ScanEngine&)> progress;
  core::Duration progress_every = std::chrono::milliseconds(250);
  /// Each note the engine leaves (rate changes), as it appears.
  std::function<void(const std::string&)> note;
};

/// Runs `engine` until every slot is decided or a signal arrives. The
/// capture's drop counters are read every 50 ms and fed to the engine.
/// Errors: the sender's (local firewall, io) and the capture's.
core::Result<LoopEnd> run_scan(core::ScanEngine& engine, const LoopIo& io, const ScanLoopCallbacks& callbacks);

}  // namespace tcphs::io
