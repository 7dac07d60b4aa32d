#include <fmt/format.h>

#include "tcphs/app/reporter.hpp"
#include "tcphs/app/text_format.hpp"

namespace tcphs::app {
namespace {

std::string where(const TargetInfo& t) {
  const std::string addr = t.address.family == core::Family::ipv6 ? "[" + t.address.to_string() + "]"
                                                                  : t.address.to_string();
  return fmt::format("{}:{}", addr, t.port);
}

class TextReporter final : public ProbeReporter {
 public:
  TextReporter(std::FILE* out, TextStyle style) : out_(out), style_(style) {}

  void start(const TargetInfo& t, std::size_t count, const std::string& syn) override {
    if (style_.quiet) return;
    fmt::print(out_, "PROBE {} ({}): {} SYN{}{}\n", t.text, where(t), count, count == 1 ? "" : "s",
               syn.empty() ? "" : ", options [" + syn + "]");
    std::fflush(out_);
  }

  void probe(const TargetInfo& t, const core::ProbeResult& r) override {
    if (style_.quiet) return;
    const auto& info = core::outcome_info(r.outcome);
    std::string line = fmt::format("{} seq={} {}", where(t), r.number,
                                   paint(style_.color, r.outcome, std::string(info.word)));
    if (r.attempt > 1 || r.outcome == core::Outcome::timeout)
      line += fmt::format(" attempt={}", r.attempt);
    if (r.rtt_ns) {
      line += " rtt=" + format_rtt(*r.rtt_ns);
      if (r.rtt_source == core::StampSource::user) line += " (user clock)";
    }
    const std::string ev = evidence(r);
    if (!ev.empty()) line += " " + ev;
    if (r.outcome != core::Outcome::open) line += fmt::format(": {}", info.human);
    if (style_.verbose && r.flow.local_port)
      line += fmt::format(" (from {} port {})", r.flow.local.to_string(), r.flow.local_port);
    fmt::print(out_, "{}\n", line);
    std::fflush(out_);
  }

  void summary(const TargetInfo& t, const TargetSummary& s) override {
    fmt::print(out_, "--- {} ({}) ---\n", t.text, where(t));
    std::string counts;
    for (core::Outcome o : core::all_outcomes) {
      auto n = s.counts[static_cast<int>(o)];
      if (n) counts += fmt::format(", {} {}", n, paint(style_.color, o, std::string(core::outcome_word(o))));
    }
    fmt::print(out_, "{} sent{}, {:.0f}% loss{}\n", s.sent, counts, s.loss * 100,
               s.mode == core::ProbeMode::connect ? " (connect mode)" : "");
    if (s.mode == core::ProbeMode::connect && !style_.quiet)
      fmt::print(out_,
                 "note: connect mode cannot tell a RST from ICMP port-unreachable (both 'refused'), and "
                 "reports ICMP admin-prohibited as 'unreachable' (IPv4) or 'filtered' (IPv6)\n");
    if (s.rtt)
      fmt::print(out_, "rtt min/avg/median/p95/max/stddev = {:.3f}/{:.3f}/{:.3f}/{:.3f}/{:.3f}/{:.3f} ms\n",
                 s.rtt->min / 1e6, s.rtt->avg / 1e6, s.rtt->median / 1e6, s.rtt->p95 / 1e6,
                 s.rtt->max / 1e6, s.rtt->stddev / 1e6);
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  TextStyle style_;
};

}  // namespace

std::unique_ptr<ProbeReporter> make_text_reporter(std::FILE* out, TextStyle style) {
  return std::make_unique<TextReporter>(out, style);
}

}  // namespace tcphs::app
