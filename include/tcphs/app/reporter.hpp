#pragma once
/// Reporters turn probe results into text or NDJSON. The engine and the
/// commands never print; they hand values to a ProbeReporter.

#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "tcphs/core/probe_result.hpp"
#include "tcphs/core/stats.hpp"

namespace tcphs::app {

/// A target as the user typed it and the address it resolved to.
struct TargetInfo {
  std::string text;
  core::IpAddress address;
  std::uint16_t port = 0;
};

struct TargetSummary {
  std::size_t sent = 0;
  std::array<std::size_t, 5> counts{};  ///< indexed by core::Outcome
  double loss = 0;                      ///< probes that got no reply at all, 0..1
  std::optional<core::RttSummary> rtt;
  core::ProbeMode mode = core::ProbeMode::raw;
};

class ProbeReporter {
 public:
  virtual ~ProbeReporter() = default;
  /// Before the first probe of a target: what will be sent.
  virtual void start(const TargetInfo& target, std::size_t count, const std::string& syn) = 0;
  virtual void probe(const TargetInfo& target, const core::ProbeResult& result) = 0;
  virtual void summary(const TargetInfo& target, const TargetSummary& summary) = 0;
};

struct TextStyle {
  bool color = false;
  bool quiet = false;  ///< summaries only
  int verbose = 0;
};

std::unique_ptr<ProbeReporter> make_text_reporter(std::FILE* out, TextStyle style);
std::unique_ptr<ProbeReporter> make_json_reporter(std::FILE* out);

}  // namespace tcphs::app
