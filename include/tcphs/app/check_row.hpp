#pragma once
/// One check of `tcphs check`: what it asks for, what its probes found, and
/// the verdict. The runner fills rows; every check reporter (table, JSON,
/// JUnit, OpenMetrics) renders them and reads the same verdict.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tcphs/app/reporter.hpp"
#include "tcphs/core/engine.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::app {

struct CheckRow {
  std::size_t line = 0;                 ///< line in the check file; 0 for a command-line target
  std::string name;                     ///< `name=`, else the target as typed
  std::string target;                   ///< as typed
  std::optional<TargetInfo> resolved;   ///< empty when the check never ran
  std::vector<core::Outcome> expect;
  std::optional<core::Duration> max_rtt;
  core::ProbeMode mode = core::ProbeMode::raw;
  std::uint32_t count = 1;
  core::EngineConfig timing;            ///< RTO, retries and -W of each probe
  /// Why the check could not run (its name did not resolve, a local
  /// failure): it fails, and the message is its evidence.
  std::optional<core::Error> error;
  /// A local fact that stands in for a reply, such as a missing route.
  std::string note;
  std::vector<core::ProbeResult> results;  ///< ascending by probe number
  core::Duration elapsed{};                ///< from its first SYN to its verdict
};

struct CheckVerdict {
  bool passed = false;
  /// What came back: "open", "open 2, timeout 1" when the probes disagree,
  /// "unresolved" or "error" when the check never ran.
  std::string got;
  /// The probe a report shows: the first whose outcome was not expected,
  /// else the first. Null when the check never ran.
  const core::ProbeResult* shown = nullptr;
  std::optional<std::int64_t> median_rtt_ns;  ///< over the probes with an RTT
  std::string reason;                         ///< one line on why it failed; "" when passed
};

/// The verdict on `row`: every probe's outcome is one of `expect`, and the
/// median RTT is at most `max_rtt` when both exist (a check whose probes got
/// no RTT, such as an expected timeout, has nothing to compare). A check
/// that never ran fails. `row` must outlive the verdict (`shown`).
CheckVerdict judge_check(const CheckRow& row);

/// Where the check went: "192.0.2.1:80", "[2001:db8::1]:443", or "-" when
/// it never ran.
std::string check_address(const CheckRow& row);

/// The evidence a report shows for `row`: why it never ran, a local note,
/// the reply flags or ICMP type/code and sender of the probe the verdict
/// shows, or for a timeout how many SYNs went unanswered.
std::string check_evidence(const CheckRow& row, const CheckVerdict& verdict);

/// "open" or "open or refused": the expectation in words.
std::string expect_words(const std::vector<core::Outcome>& expect, const char* separator);

}  // namespace tcphs::app
