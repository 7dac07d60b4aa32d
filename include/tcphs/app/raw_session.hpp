#pragma once
/// Everything a raw-mode command needs around the engine: routes to its
/// destinations, a capture per egress interface, a raw sender per family,
/// capabilities dropped once they are open, a per-run key and source ports.
/// probe, trace, check, scan and isn all open one and run their plan in it.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tcphs/core/cookie.hpp"
#include "tcphs/core/engine.hpp"
#include "tcphs/core/port_pool.hpp"
#include "tcphs/io/capture.hpp"
#include "tcphs/io/engine_loop.hpp"
#include "tcphs/io/raw_sender.hpp"
#include "tcphs/io/route.hpp"
#include "tcphs/io/scan_loop.hpp"

namespace tcphs::app {

struct RawSessionConfig {
  std::optional<std::string> source;     ///< --source, numeric
  std::optional<std::string> interface;  ///< -I
  bool immediate_capture = true;         ///< false for high-rate plans (scan)
  int capture_buffer_bytes = 4 << 20;
  int verbose = 0;
  std::function<void(const std::string&)> notice;  ///< one line for stderr
};

class RawSession {
 public:
  /// Looks up a route to every destination and opens captures and senders.
  /// Errors: usage (bad source, unknown interface), no_route, permission.
  static core::Result<std::unique_ptr<RawSession>> open(const std::vector<core::IpAddress>& destinations,
                                                        const RawSessionConfig& config);

  /// The route to destination `i` (as given to open()): source, device, MTU.
  const io::Route& route(std::size_t i) const { return routes_[i]; }
  const core::CookieKey& key() const { return key_; }
  core::PortPool& ports() { return ports_; }

  /// Linux's MSS for a SYN to destination `i`.
  std::uint16_t default_mss(std::size_t i) const;

  /// Runs `engine` to the end; returns the signal that stopped it, or 0.
  /// Warns (through the notice) when the capture dropped packets.
  core::Result<int> run(core::Engine& engine, const io::LoopCallbacks& callbacks);

  /// Runs a scan to the end (io::run_scan); returns the signal that stopped
  /// it, or 0. Capture drops reach the engine, which reports them.
  core::Result<int> run(core::ScanEngine& engine, const io::ScanLoopCallbacks& callbacks);

  /// Capture statistics summed over every interface.
  io::CaptureStats capture_stats() const;

 private:
  RawSession(core::CookieKey key, core::PortPool ports) : key_(key), ports_(ports) {}

  std::vector<io::Route> routes_;
  std::vector<std::unique_ptr<io::Capture>> captures_;
  std::unique_ptr<io::PacketSender> v4_, v6_;
  core::CookieKey key_;
  core::PortPool ports_;
  RawSessionConfig config_;
};

}  // namespace tcphs::app
