#pragma once
/// The reports of `tcphs check`, each a pure function of the finished rows
/// (and a few facts about the run), so they agree with one another and can
/// be compared with golden files. Files are written by io::write_file_atomically.

#include <string>
#include <vector>

#include "tcphs/app/check_row.hpp"

namespace tcphs::app {

struct CheckRunInfo {
  std::string suite = "tcphs check";  ///< the check file's name, or a word for stdin/arguments
  core::Duration elapsed{};           ///< the whole run
  /// Local start time as ISO 8601 without a zone ("2026-01-31T12:00:00"),
  /// the form JUnit's schema wants; "" leaves the attribute out.
  std::string timestamp;
};

struct CheckTableStyle {
  bool color = false;
  bool quiet = false;  ///< the summary line only
};

/// `N checks, N passed, N failed`.
std::string check_summary_line(const std::vector<CheckRow>& rows);

/// The table for people: one row per check with its result (FAIL or ok),
/// name (and target when named), address, expectation, what came back,
/// attempt, median RTT and evidence (of the probe the verdict shows); failed rows first, each group in file order; then the
/// summary line.
std::string check_table(const std::vector<CheckRow>& rows, const CheckTableStyle& style);

/// NDJSON in file order (SPEC §4): a `check` record per probe (the `probe`
/// keys plus `name`, `expect`, `passed`, `reason`, `line`), one record with
/// null probe fields and an `error` for a check that never ran, and a last
/// `summary` record for the run (`checks`, `passed`, `failed`, `sent`,
/// `counts`, `loss`; `target`, `address` and `rtt_us` are null).
std::string check_ndjson(const std::vector<CheckRow>& rows);

/// JUnit XML (the Ant/Jenkins shape GitLab, Jenkins and GitHub report
/// actions read, checked against tests/data/junit.xsd): one testsuite, a
/// testcase per check named by its name, a `failure` with the reason as
/// its message for a failed check, the evidence in `system-out` otherwise.
std::string check_junit(const std::vector<CheckRow>& rows, const CheckRunInfo& info);

/// Prometheus text format (version 0.0.4) for node_exporter's textfile
/// collector: gauges `tcphs_check_up` (1 when the check held),
/// `tcphs_check_rtt_seconds` (median RTT; absent without one) and
/// `tcphs_check_outcome{outcome=...}` (1 for the outcome the report shows,
/// 0 for the other four; all 0 when the check never ran), each labelled
/// with `target` (as typed) and `name`.
std::string check_openmetrics(const std::vector<CheckRow>& rows);

}  // namespace tcphs::app
