#pragma once
/// `tcphs isn TARGET`: samples the server's SYN-ACKs and says what their
/// sequence numbers, timestamps and IP IDs reveal, and whether the server is
/// answering with SYN cookies.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tcphs/app/common_options.hpp"
#include "tcphs/app/reporter.hpp"
#include "tcphs/core/engine.hpp"
#include "tcphs/core/isn_analysis.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::app {

struct IsnOptions {
  CommonOptions common;
  std::string target;
  int count = 20;
  /// 110 ms: the reused 4-tuple is then sampled every 220 ms, 28 ms off any
  /// multiple of 64 ms, so a cookie's fixed TSval low bits cannot be a
  /// coincidence of the spacing (see isn_cookies.hpp).
  std::string interval = "110ms";
};

/// Registers `isn` on `app`; CLI11 only fills `opts`.
CLI::App* add_isn_command(CLI::App& app, IsnOptions& opts);

/// Samples and reports. The exit code is 0 once there is a SYN-ACK to
/// analyse; with none, that of the first probe's outcome (SPEC §2); 128 +
/// the signal when interrupted. Errors: resolving the target, usage (a bad
/// -i; --mode connect, since a kernel connect() hides the SYN-ACK's fields),
/// permission without CAP_NET_RAW, and those of RawSession::open.
core::Result<int> run_isn(const IsnOptions& opts);

/// What `isn` sends: the options, checked.
struct IsnPlan {
  TargetInfo target;
  std::uint32_t count = 20;
  core::Duration interval = std::chrono::milliseconds(110);
  core::SynSpec syn;        ///< template: flow and seq are filled per probe
  bool default_mss = true;  ///< derive MSS from the route MTU, as Linux does
  std::optional<std::string> source;
  std::optional<std::string> interface;
  std::optional<std::uint16_t> source_port;  ///< every SYN from it: one 4-tuple only
  int verbose = 0;
};

/// One probe and, when it drew a SYN-ACK, its sample.
struct IsnProbe {
  core::ProbeResult result;
  std::optional<core::IsnSample> sample;
};

struct IsnRun {
  std::vector<IsnProbe> probes;  ///< in probe-number order
  core::SynOffer offer;          ///< what every SYN offered
  std::string syn_text;          ///< its options in words
  std::uint16_t reused_port = 0;  ///< the source port of every odd-numbered SYN
  int signal = 0;                 ///< the signal that stopped the run, or 0
};

/// Sends `plan.count` SYNs through the engine, odd-numbered ones from one
/// reused source port (its 4-tuple keeps per-connection values fixed: the
/// timestamp offset, Linux's ISN hash), even-numbered ones each from a new
/// port (what a new connection sees). Our kernel resets every half-open
/// connection, as for probe. Errors: those of RawSession::open and the loop.
core::Result<IsnRun> run_isn_plan(const IsnPlan& plan, const std::function<void(const std::string&)>& notice);

/// The sample in a SYN-ACK result: none for any other outcome, or without
/// the ISN or the kernel receive stamp. `our_isn` is the answered SYN's seq.
std::optional<core::IsnSample> isn_sample(const core::ProbeResult& r, std::uint32_t our_isn);

/// The samples of a run, in the order the analysis uses (receive order).
std::vector<core::IsnSample> run_samples(const IsnRun& run);

/// Human report: with -v a table of samples, then the findings in plain
/// words, each with the number behind it.
void print_isn_text(std::FILE* out, const TargetInfo& target, const IsnRun& run, const core::IsnAnalysis& a,
                    const TextStyle& style);

/// NDJSON: a `sample` record per SYN-ACK (receive order), then one `analysis`.
void print_isn_json(std::FILE* out, const TargetInfo& target, const IsnRun& run, const core::IsnAnalysis& a);

}  // namespace tcphs::app
