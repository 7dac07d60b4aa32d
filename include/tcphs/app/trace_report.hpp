#pragma once
/// How `trace` shows what it finds: a text reporter (traceroute-like hop
/// lines, the outcome line, the diagnosis) and an NDJSON one (SPEC §4 `hop`
/// records, `probe` records for the control port, and a `summary`).

#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tcphs/app/reporter.hpp"
#include "tcphs/core/trace_diagnosis.hpp"

namespace tcphs::app {

/// Reverse names of hop addresses; an address missing here has none.
using HopNames = std::map<core::IpAddress, std::string>;

struct TraceStart {
  TargetInfo target;
  unsigned first_ttl = 1;
  unsigned max_ttl = 30;
  unsigned queries = 3;
  std::string syn;  ///< the SYN's options, as describe_options words
  bool ecn = false;  ///< the SYN asks for ECN (ECE and CWR set)
  std::uint16_t source_port = 0;
};

/// Everything the trace found, for the closing output.
struct TraceReport {
  TargetInfo target;
  std::vector<core::Hop> hops;
  core::TraceAnalysis analysis;
  std::optional<core::ControlResult> control;
  std::vector<std::string> diagnosis;
  /// SIGINT or SIGTERM when one stopped the trace early, else 0: during the
  /// hops (analysis.end is interrupted) or during the control port's SYNs
  /// (then `control` is empty).
  int signal = 0;
};

class TraceReporter {
 public:
  virtual ~TraceReporter() = default;
  virtual void start(const TraceStart& s) = 0;
  virtual void hop(const core::Hop& h, const HopNames& names) = 0;
  /// The control port's probes (full TTL), once they are done.
  virtual void control(const TargetInfo& control, const std::vector<core::ProbeResult>& results) = 0;
  virtual void finish(const TraceReport& r) = 0;
};

std::unique_ptr<TraceReporter> make_trace_text_reporter(std::FILE* out, TextStyle style);
std::unique_ptr<TraceReporter> make_trace_json_reporter(std::FILE* out);

/// " 2  r2.lab (10.77.2.2)  0.061 ms  *  0.049 ms": the TTL right-aligned in
/// two columns, then per query the answering address when it differs from
/// the previous query's (name and address, or the address alone when it has
/// no name), its RTT or `*`, and traceroute's marker for an answer other
/// than time exceeded (`<syn,ack>`, `<rst,ack>`, `!X`, `!H`...). Rewrites the
/// hop's quote shows follow in brackets; `verbose` adds the quoted options.
std::string hop_line(const core::Hop& h, const HopNames& names, bool verbose);

/// SPEC §4 `hop`: `hop`, `address` (first answering, null when silent),
/// `name`, `rtt_us` (one per query, null when unanswered), `icmp`
/// ({`type`, `code`} of the first ICMP answer, else null), `rewrites`; and
/// `addresses` (every responder), `reply` (per query: "time_exceeded",
/// "tcp", "icmp" or null), `outcome` (the hop's final answer, else null),
/// `quote` ("tcp" when a quote held the whole TCP header, "short", or null).
nlohmann::json hop_json(const core::Hop& h, const HopNames& names);

/// SPEC §4 `summary` for a trace: `sent`, `counts` (each probe once;
/// time-exceeded answers under their own `time_exceeded` key rather than
/// `unreachable`), `loss`, `rtt_us` (over answers other than time exceeded),
/// plus `outcome`, `end` ("answered", "silence", "max_hops"), `reached`
/// (the target itself answered), `hops` (its TTL then, else null),
/// `last_hop` ({`hop`, `address`} of the last hop that answered),
/// `rejected_by` ({`hop`, `address`, `icmp`} or null), `rewrites` (list of
/// {`seen_at`, `after`, `by`, `changes`}: `by` is `after` when the two hops
/// are adjacent, else null), `control` ({`port`, `outcome`, `reply`,
/// `from`} or null), `diagnosis` (the sentences) and `interrupted` (null, or
/// {`signal`: "SIGINT"/"SIGTERM", `during`: "hops" or "control"}). An
/// interrupted trace's `end` is "interrupted" and its `outcome` null.
nlohmann::json trace_summary_json(const TraceReport& r);

}  // namespace tcphs::app
