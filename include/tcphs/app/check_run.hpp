#pragma once
/// Runs the checks of `tcphs check` concurrently: raw-mode checks through one
/// engine in one RawSession, connect-mode checks through the kernel's
/// connect() on a thread of their own, at the same time.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tcphs/app/check_row.hpp"
#include "tcphs/io/stop_event.hpp"
#include "tcphs/core/syn.hpp"

namespace tcphs::app {

struct CheckRunConfig {
  /// Checks in flight at once, over both modes (at least 1). When both
  /// modes have checks, each gets a share in proportion to its number of
  /// checks, at least 1.
  std::size_t parallel = 256;
  core::Duration interval = std::chrono::seconds(1);  ///< between the probes of one check
  core::SynSpec syn;  ///< template: flow, seq and (unless `default_mss` is off) MSS are filled per check
  bool default_mss = true;
  std::optional<std::string> source;
  std::optional<std::string> interface;
  std::optional<std::uint16_t> source_port;
  int verbose = 0;
  std::function<void(const std::string&)> notice;  ///< one line for stderr
};

/// Runs every row that is resolved and has no error, filling its `results`
/// (ascending by probe number) and `elapsed`. A raw check is admitted (its
/// probes added to the engine) only when one of the `parallel` slots is
/// free, and leaves its slot when its last probe has a result; so the
/// engine holds at most `parallel` checks however many the file has.
/// A raw check whose address has no route gets `unreachable` results (no
/// SYN sent, attempt 0) and a note, as connect() would report ENETUNREACH.
/// Errors: those of RawSession::open (permission, usage) before anything is
/// sent, and of the event loop. Returns the signal that stopped the run, or 0:
/// SIGINT/SIGTERM stop the raw checks and the connect worker alike.
core::Result<int> run_checks(std::vector<CheckRow>& rows, const CheckRunConfig& config);

/// The connect-mode part of run_checks: probe n of every check runs in
/// round n, at most `parallel` connect()s at a time, and rounds start
/// `interval` apart. Each probe may take the check's -W, or else the time
/// its RTO and retries add up to (the kernel retransmits on its own). A
/// local failure (no descriptor, a source it cannot bind) becomes that
/// check's error. `config.source`, when set, must be a numeric address.
/// When `stop` is raised the connects of the current round that have no
/// verdict yet are abandoned (no result), and no other round starts.
void run_connect_checks(std::span<CheckRow* const> rows, std::size_t parallel, const CheckRunConfig& config,
                        const io::StopEvent& stop);

}  // namespace tcphs::app
