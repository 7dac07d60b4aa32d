#include <fmt/format.h>

#include <algorithm>

#include "tcphs/app/text_format.hpp"
#include "tcphs/app/trace_report.hpp"

namespace tcphs::app {
namespace {

std::string where(const core::IpAddress& a, std::uint16_t port) {
  return a.family == core::Family::ipv6 ? fmt::format("[{}]:{}", a.to_string(), port)
                                        : fmt::format("{}:{}", a.to_string(), port);
}

/// traceroute -T's spelling of TCP flags: "<syn,ack>", "<rst,ack>".
std::string tcp_marker(std::uint16_t flags) {
  static constexpr std::pair<std::uint16_t, std::string_view> names[] = {
      {core::tcp_flag::fin, "fin"}, {core::tcp_flag::syn, "syn"}, {core::tcp_flag::rst, "rst"},
      {core::tcp_flag::psh, "psh"}, {core::tcp_flag::ack, "ack"}, {core::tcp_flag::urg, "urg"},
      {core::tcp_flag::ece, "ece"}, {core::tcp_flag::cwr, "cwr"}};
  std::string s;
  for (auto [bit, name] : names)
    if (flags & bit) s += (s.empty() ? "" : ",") + std::string(name);
  return "<" + s + ">";
}

std::string marker(const core::HopReply& q) {
  if (q.kind == core::HopReplyKind::tcp) return tcp_marker(q.tcp_flags);
  if (q.kind == core::HopReplyKind::icmp && q.from) return core::icmp_marker(q.from->family, q.icmp_type, q.icmp_code);
  return "";
}

std::string label(const core::IpAddress& a, const HopNames& names) {
  auto it = names.find(a);
  return it == names.end() ? a.to_string() : fmt::format("{} ({})", it->second, a.to_string());
}

class TraceTextReporter final : public TraceReporter {
 public:
  TraceTextReporter(std::FILE* out, TextStyle style) : out_(out), style_(style) {}

  void start(const TraceStart& s) override {
    if (style_.quiet) return;
    fmt::print(out_, "TRACE {} ({}): TTL {} to {}, {} SYN{} per hop from port {}{}{}\n", s.target.text,
               where(s.target.address, s.target.port), s.first_ttl, s.max_ttl, s.queries, s.queries == 1 ? "" : "s",
               s.source_port, s.syn.empty() ? "" : ", options [" + s.syn + "]", s.ecn ? ", ECE+CWR" : "");
    std::fflush(out_);
  }

  void hop(const core::Hop& h, const HopNames& names) override {
    if (style_.quiet) return;
    fmt::print(out_, "{}\n", hop_line(h, names, style_.verbose > 0));
    std::fflush(out_);
  }

  void control(const TargetInfo& c, const std::vector<core::ProbeResult>& results) override {
    if (style_.quiet) return;
    for (const auto& r : results) {
      std::string line = fmt::format("control {} seq={} {}", where(c.address, c.port), r.number,
                                     paint(style_.color, r.outcome, std::string(core::outcome_word(r.outcome))));
      if (r.rtt_ns) line += " rtt=" + format_rtt(*r.rtt_ns);
      if (const auto ev = evidence(r); !ev.empty()) line += " " + ev;
      fmt::print(out_, "{}\n", line);
    }
    std::fflush(out_);
  }

  void finish(const TraceReport& r) override {
    const auto& info = core::outcome_info(r.analysis.outcome);
    if (r.analysis.end == core::TraceEnd::interrupted)
      fmt::print(out_, "{}: no outcome: interrupted by {}\n", where(r.target.address, r.target.port),
                 signal_name(r.signal));
    else
      fmt::print(out_, "{} {}: {}\n", where(r.target.address, r.target.port),
                 paint(style_.color, r.analysis.outcome, std::string(info.word)), info.human);
    for (const auto& d : r.diagnosis) fmt::print(out_, "diagnosis: {}\n", d);
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  TextStyle style_;
};

}  // namespace

std::string hop_line(const core::Hop& h, const HopNames& names, bool verbose) {
  std::string line = fmt::format("{:>2}", h.ttl);
  std::optional<core::IpAddress> shown;
  std::vector<std::string> rewrites;
  std::optional<core::TcpOptions> quoted;
  for (const auto& q : h.queries) {
    if (q.kind == core::HopReplyKind::none) {
      line += "  *";
      continue;
    }
    if (q.from && q.from != shown) {
      line += "  " + label(*q.from, names);
      shown = q.from;
    }
    line += "  " + (q.rtt_ns ? format_rtt(*q.rtt_ns) : std::string("?"));
    if (const auto m = marker(q); !m.empty()) line += " " + m;
    if (q.quote)
      for (const auto& c : q.quote->changes())
        if (std::find(rewrites.begin(), rewrites.end(), c) == rewrites.end()) rewrites.push_back(c);
    if (q.quoted_options && !quoted) quoted = q.quoted_options;
  }
  if (!rewrites.empty()) {
    std::string joined;
    for (const auto& c : rewrites) joined += (joined.empty() ? "" : ", ") + c;
    line += "  [" + joined + "]";
  }
  if (verbose && quoted) line += "  quoted [" + core::describe_options(*quoted) + "]";
  return line;
}

std::unique_ptr<TraceReporter> make_trace_text_reporter(std::FILE* out, TextStyle style) {
  return std::make_unique<TraceTextReporter>(out, style);
}

}  // namespace tcphs::app
