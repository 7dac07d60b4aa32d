/// The text side of scan_report.hpp: the nmap-like table.

#include <fmt/format.h>

#include "tcphs/app/scan_report.hpp"
#include "tcphs/app/text_format.hpp"
#include "tcphs/core/packet.hpp"

namespace tcphs::app {

std::string group_digits(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::array<bool, 5> hidden_outcomes(const std::array<std::size_t, 5>& counts, bool show_all) {
  std::array<bool, 5> hidden{};
  if (show_all) return hidden;
  for (core::Outcome o : core::all_outcomes) {
    const auto i = static_cast<std::size_t>(o);
    hidden[i] = o != core::Outcome::open && counts[i] > shown_outcome_limit;
  }
  return hidden;
}

std::string scan_evidence(const core::ProbeResult& r) {
  std::string s;
  if (r.reply) {
    s = core::flags_string(r.reply->flags);
    if (r.reply->ttl) s += fmt::format(" ttl={}", *r.reply->ttl);
    if (r.reply->flags & core::tcp_flag::syn) {
      if (r.reply->window) s += fmt::format(" win={}", *r.reply->window);
      const auto& o = r.reply->options;
      std::vector<std::string> opts;
      if (o.mss) opts.push_back(fmt::format("mss {}", *o.mss));
      if (o.sack_permitted) opts.push_back("sack");
      if (o.timestamps) opts.push_back("ts");
      if (o.wscale) opts.push_back(fmt::format("wscale {}", *o.wscale));
      if (!opts.empty()) s += fmt::format(" [{}]", fmt::join(opts, ","));
      if (r.reply->ecn) s += " ecn";
    }
  } else if (r.icmp) {
    const bool v4 = r.icmp->from.family == core::Family::ipv4;
    s = fmt::format("icmp{} {}/{} from {}", v4 ? "" : "6", r.icmp->type, r.icmp->code, r.icmp->from.to_string());
  } else {
    return fmt::format("no reply ({} SYN{})", r.attempt, r.attempt == 1 ? "" : "s");
  }
  if (r.attempt > 1) s += " (2nd SYN)";
  return s;
}

namespace {

class ScanTextReporter final : public ScanReporter {
 public:
  ScanTextReporter(std::FILE* out, TextStyle style) : out_(out), style_(style) {}

  void begin(const ScanHostReport& h) override {
    const std::string addr = h.target.address.to_string();
    fmt::print(out_, "SCAN {}{}: {} port{}\n", h.target.text, h.target.text == addr ? "" : " (" + addr + ")",
               group_digits(h.ports), h.ports == 1 ? "" : "s");
    if (style_.quiet) return;
    listed_ = 0;
    fmt::print(out_, "{:<11} {:<11} {:>10}  {:<15} {}\n", "PORT", "OUTCOME", "RTT", "SERVICE", "EVIDENCE");
  }

  void port(const ScanHostReport&, std::uint16_t port, const core::ProbeResult& r,
            std::string_view service) override {
    if (style_.quiet) return;
    ++listed_;
    const std::string word(core::outcome_word(r.outcome));
    // Padding is computed on the plain word: colour codes have no width.
    const std::string pad(word.size() < 11 ? 11 - word.size() : 0, ' ');
    const std::string rtt = r.rtt_ns ? fmt::format("{:.3f} ms", static_cast<double>(*r.rtt_ns) / 1e6) : "-";
    fmt::print(out_, "{:<11} {}{} {:>10}  {:<15} {}\n", fmt::format("{}/tcp", port), paint(style_.color, r.outcome, word),
               pad, rtt, service.empty() ? "-" : service, scan_evidence(r));
  }

  void end(const ScanHostReport& h) override {
    if (!style_.quiet && listed_ == 0) fmt::print(out_, "(no port to list)\n");
    std::vector<std::string> parts;
    for (core::Outcome o : core::all_outcomes) {
      const auto i = static_cast<std::size_t>(o);
      if (h.counts[i] == 0 && o != core::Outcome::open) continue;
      parts.push_back(fmt::format("{} {}{}", group_digits(h.counts[i]),
                                  paint(style_.color, o, std::string(core::outcome_word(o))),
                                  h.hidden[i] ? " (not shown)" : ""));
    }
    if (h.decided < h.ports) parts.push_back(fmt::format("{} not scanned (interrupted)", group_digits(h.ports - h.decided)));
    fmt::print(out_, "{}\n", fmt::join(parts, ", "));
    std::string line = fmt::format("{} SYN{} ({} retransmitted) in {:.2f} s", group_digits(h.sent), h.sent == 1 ? "" : "s",
                                   group_digits(h.retransmitted),
                                   std::chrono::duration<double>(h.elapsed).count());
    if (h.rtt)
      line += fmt::format("; rtt min/median/p95/max = {:.3f}/{:.3f}/{:.3f}/{:.3f} ms", h.rtt->min / 1e6,
                          h.rtt->median / 1e6, h.rtt->p95 / 1e6, h.rtt->max / 1e6);
    fmt::print(out_, "{}\n", line);
    if (style_.verbose)
      fmt::print(out_, "rate {:.0f} pps requested, {:.0f} pps at the end; {} duplicate replies; {} capture drops; "
                       "from {} port {}\n",
                 h.rate_requested, h.rate_final, h.duplicates, h.capture_drops, h.source.to_string(), h.source_port);
    if (h.results_may_be_wrong)
      fmt::print(out_, "warning: {}; some results may be wrong (a lost reply reads as timeout)\n",
                 h.capture_drops ? fmt::format("the capture dropped {} packets", group_digits(h.capture_drops))
                                 : std::string("ICMP errors looked rate limited"));
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  TextStyle style_;
  std::size_t listed_ = 0;
};

}  // namespace

std::unique_ptr<ScanReporter> make_scan_text_reporter(std::FILE* out, TextStyle style) {
  return std::make_unique<ScanTextReporter>(out, style);
}

}  // namespace tcphs::app
