#pragma once
/// How `scan` shows what it found: per host an nmap-like table of the
/// interesting ports and the counts of the rest (text), or SPEC §4 `port`
/// records and a `summary` (NDJSON). Ports are streamed one at a time from
/// the engine's table, so even `--all-ports` on 65,535 ports holds one
/// ProbeResult at a time.

#include <array>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tcphs/app/reporter.hpp"
#include "tcphs/core/stats.hpp"

namespace tcphs::app {

/// An outcome is left out of the port list when more ports than this have
/// it (nmap's "Not shown" rule), except `open`, which is always listed.
inline constexpr std::size_t shown_outcome_limit = 25;

/// What is known about one host once its scan is over.
struct ScanHostReport {
  TargetInfo target;                  ///< `port` unused
  core::IpAddress source;
  std::uint16_t source_port = 0;
  std::size_t ports = 0;              ///< ports in the scan
  std::size_t decided = 0;            ///< ports with an outcome (fewer when interrupted)
  std::array<std::size_t, 5> counts{};  ///< indexed by core::Outcome
  std::array<bool, 5> hidden{};       ///< outcomes left out of the list
  std::size_t sent = 0;               ///< SYNs to this host, retransmissions included
  std::size_t retransmitted = 0;
  std::optional<core::RttSummary> rtt;
  core::Duration elapsed{};           ///< of the host's group
  double rate_requested = 0;
  double rate_final = 0;
  std::uint64_t capture_drops = 0;    ///< of the host's group
  std::uint64_t duplicates = 0;       ///< of the host's group
  bool results_may_be_wrong = false;
  std::vector<std::string> notes;     ///< rate changes of the host's group
};

/// Which outcomes to leave out, given the counts (see shown_outcome_limit);
/// none with `show_all`.
std::array<bool, 5> hidden_outcomes(const std::array<std::size_t, 5>& counts, bool show_all);

/// The evidence column: "SA ttl=62 win=64240 [mss 1460,sack,ts,wscale 7]",
/// "RA ttl=62", "icmp 3/13 from 10.77.3.2" (icmp6 for IPv6), or
/// "no reply (2 SYNs)"; " (2nd SYN)" when only the retransmission was answered.
std::string scan_evidence(const core::ProbeResult& r);

class ScanReporter {
 public:
  virtual ~ScanReporter() = default;
  virtual void begin(const ScanHostReport& host) = 0;
  /// One listed port, ascending; `service` is "" when the port has no name.
  virtual void port(const ScanHostReport& host, std::uint16_t port, const core::ProbeResult& r,
                    std::string_view service) = 0;
  virtual void end(const ScanHostReport& host) = 0;
};

std::unique_ptr<ScanReporter> make_scan_text_reporter(std::FILE* out, TextStyle style);
std::unique_ptr<ScanReporter> make_scan_json_reporter(std::FILE* out);

/// SPEC §4 `port`: `address`, `port`, `outcome`, `rtt_us`, `reply`, `icmp`,
/// `service` (null when unnamed), plus `target`, `family`, `attempt`,
/// `rtt_clock`, `source`, `source_port` and `mode` as in `probe` records.
nlohmann::json port_json(const ScanHostReport& host, std::uint16_t port, const core::ProbeResult& r,
                         std::string_view service);
/// SPEC §4 `summary` for a scanned host: `target`, `address`, `sent`,
/// `counts`, `loss` (ports without any reply, 0..1), `rtt_us`; plus `ports`,
/// `not_shown` (outcome words left out of the `port` records),
/// `retransmitted`, `duration_us`, `rate_pps` {`requested`, `final`},
/// `capture_drops`, `duplicates`, `results_may_be_wrong`, `notes`,
/// `complete` (false when interrupted) and `mode`.
nlohmann::json scan_summary_json(const ScanHostReport& host);

/// "1,234,567": thousands separated by commas, for counts people read.
std::string group_digits(std::uint64_t n);

}  // namespace tcphs::app
