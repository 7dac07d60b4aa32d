#include <fmt/format.h>

#include <cmath>
#include <map>

#include "tcphs/app/isn_command.hpp"

namespace tcphs::app {
namespace {

using Lines = std::vector<std::string>;

std::string where(const TargetInfo& t) {
  const std::string addr = t.address.to_string();
  return t.address.family == core::Family::ipv6 ? fmt::format("[{}]:{}", addr, t.port)
                                                : fmt::format("{}:{}", addr, t.port);
}

std::string hz(double v) {
  if (v >= 1e6) return fmt::format("{:.3f} MHz", v / 1e6);
  if (v >= 1e4) return fmt::format("{:.2f} kHz", v / 1e3);
  return fmt::format("{:.1f} Hz", v);
}

/// "52 s", "1 h 01 min", "3 d 04 h".
std::string span(double seconds) {
  const auto s = static_cast<long long>(seconds);
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min {:02} s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{} h {:02} min", s / 3600, s % 3600 / 60);
  return fmt::format("{} d {:02} h", s / 86400, s % 86400 / 3600);
}

/// The options a Linux cookie keeps in the low 6 bits of its TSval.
std::string cookie_bits(std::uint8_t bits) {
  std::string s = (bits & 0xf) == 0xf ? "no window scale" : fmt::format("wscale {}", bits & 0xf);
  if (bits & 0x10) s += ", SACK";
  if (bits & 0x20) s += ", ECN";
  return s;
}

Lines sequence_lines(const core::IsnAnalysis& a, const std::vector<core::IsnSample>& samples) {
  const auto& q = a.sequence;
  Lines out;
  switch (q.verdict) {
    case core::IsnVerdict::unknown:
      out.push_back(fmt::format("too few SYN-ACKs to judge ({}; 3 needed)", a.samples));
      break;
    case core::IsnVerdict::constant:
      out.push_back(fmt::format("constant: every SYN-ACK carried ISN {}", samples.front().isn));
      break;
    default:
      out.push_back(fmt::format("{}: about 2^{:.1f} values to try for the next ISN (nmap SP index {}); GCD {}, "
                                "{:.3g} increments/s",
                                core::isn_verdict_word(q.verdict), *q.guess_bits, *q.sp_index, q.gcd,
                                *q.increments_per_s));
  }
  if (q.one_connection && q.verdict != core::IsnVerdict::unknown)
    out.push_back("every SYN came from one source port: RFC 6528 lets one 4-tuple's ISNs follow a clock, "
                  "so this says nothing about other connections");
  if (q.connection_clock_hz && !q.one_connection) {
    const bool linux_tick = std::abs(*q.connection_clock_hz / 15.625e6 - 1) < 0.01;
    out.push_back(fmt::format("on the reused connection the ISN advances at {} ({} SYN-ACKs): the timer of RFC 6528 "
                              "under a per-4-tuple hash{}",
                              hz(*q.connection_clock_hz), q.connection_clock_samples,
                              linux_tick ? ", one step per 64 ns as in Linux" : ""));
  }
  return out;
}

Lines timestamp_lines(const core::IsnAnalysis& a, const core::SynOffer& offer) {
  const auto& t = a.timestamps;
  Lines out;
  if (t.with_timestamps == 0) {
    out.push_back(offer.timestamps
                      ? fmt::format("none offered: none of the {} SYN-ACKs carried the timestamps option "
                                    "(RFC 7323), so there is no clock rate or uptime to read",
                                    t.samples)
                      : "not asked for: our SYNs carried no timestamps option");
    return out;
  }
  if (t.with_timestamps < t.samples)
    out.push_back(fmt::format("only {} of {} SYN-ACKs carried timestamps", t.with_timestamps, t.samples));
  if (t.all_zero) {
    out.push_back("every TSval was 0: the server runs no timestamp clock");
    return out;
  }
  if (t.clock_hz) {
    std::string nominal;
    if (t.nominal_hz) nominal = *t.nominal_hz < 1e4 ? fmt::format(" (nominal {:g} Hz)", *t.nominal_hz)
                                                    : fmt::format(" (nominal {})", hz(*t.nominal_hz));
    out.push_back(fmt::format("clock {}{}, fitted to {} SYN-ACKs (rms {:.1f} ticks)", hz(*t.clock_hz), nominal,
                              t.fit_samples, *t.fit_rms_ticks));
  } else if (t.offset != core::TsOffset::per_connection) {
    out.push_back("no clock rate: too few SYN-ACKs on one connection");
  }
  switch (t.offset) {
    case core::TsOffset::per_connection:
      if (t.offset_compared)
        out.push_back(fmt::format("offset random per connection: {} of {} other connections were off the "
                                  "clock's line, so TSvals reveal no uptime",
                                  t.offset_off_line, t.offset_compared));
      else
        out.push_back("offset random on every connection: no clock fits the TSvals, not even those of "
                      "the reused 4-tuple");
      break;
    case core::TsOffset::shared: {
      std::string line = fmt::format("one clock for every connection ({} of {} other connections on its line)",
                                     t.offset_compared - t.offset_off_line, t.offset_compared);
      if (t.uptime_s)
        line += fmt::format(": counted from boot, the host has been up {} (modulo the wrap every {}); a random "
                            "offset per address pair would look the same from one source address",
                            span(*t.uptime_s), span(4294967296.0 / *t.nominal_hz));
      out.push_back(line);
      break;
    }
    case core::TsOffset::unknown:
      out.push_back(a.connections == 1 ? "offset unknown: every SYN used one 4-tuple, nothing to compare with"
                                       : "offset unknown");
      break;
  }
  return out;
}

Lines ip_id_lines(const core::IsnAnalysis& a, const TargetInfo& target) {
  const auto& i = a.ip_id;
  switch (i.behaviour) {
    case core::IpIdBehaviour::not_applicable:
      return {target.address.family == core::Family::ipv6 ? "none: IPv6 has no IP ID"
                                                          : "too few SYN-ACKs to tell"};
    case core::IpIdBehaviour::zero:
      return {fmt::format("zero on all {} SYN-ACKs (RFC 6864 lets a DF packet carry any ID)", i.samples)};
    case core::IpIdBehaviour::constant:
      return {fmt::format("constant on all {} SYN-ACKs", i.samples)};
    case core::IpIdBehaviour::incremental:
      return {fmt::format("incremental: steps of {:.1f} on average, at most {}; a shared counter tells how many "
                          "packets the host sends",
                          *i.mean_step, *i.max_step)};
    case core::IpIdBehaviour::random:
      return {fmt::format("random: steps up to {} over {} SYN-ACKs", *i.max_step, i.samples)};
  }
  return {};
}

Lines cookie_lines(const core::IsnAnalysis& a) {
  const auto& c = a.cookies;
  Lines out;
  const char* verdict = c.verdict == core::CookieVerdict::detected       ? "detected"
                        : c.verdict == core::CookieVerdict::possible     ? "possible"
                        : c.verdict == core::CookieVerdict::not_detected ? "not detected"
                                                                         : "unknown: too few SYN-ACKs";
  out.push_back(verdict);
  using core::CheckResult;
  if (c.isn_follows_syn == CheckResult::yes)
    out.push_back(fmt::format("ISN - our ISN repeated on the reused connection ({} of {} pairs{}): the ISN is "
                              "computed from our SYN, as a Linux cookie is",
                              c.isn_repeats, c.isn_pairs,
                              c.isn_counter_steps ? fmt::format(", the minute counter stepped in {}",
                                                                c.isn_counter_steps)
                                                  : ""));
  else if (c.isn_follows_syn == CheckResult::no)
    out.push_back(fmt::format("ISN - our ISN never repeated on the reused connection ({} of {} pairs): "
                              "the ISN does not follow ours",
                              c.isn_repeats, c.isn_pairs));
  if (c.tsval_low_bits == CheckResult::yes) {
    std::string line = fmt::format("TSval mod 64 stayed {} on {} SYN-ACKs of one connection while its clock ran "
                                   "on: Linux keeps a cookie's options there",
                                   *c.low_bits, c.tsval_samples);
    if (c.low_bits_match_offer)
      line += fmt::format(" (zero offset: they read {}, what our SYN offered)", cookie_bits(*c.low_bits));
    out.push_back(line);
  } else if (c.tsval_low_bits == CheckResult::no) {
    out.push_back(fmt::format("TSval mod 64 varied over {} SYN-ACKs of one connection", c.tsval_samples));
  } else if (c.tsval_low_bits == CheckResult::inconclusive) {
    out.push_back(fmt::format("TSval mod 64 stayed {}, but the SYNs were a multiple of 64 ticks apart: "
                              "try another -i",
                              *c.low_bits));
  }
  if (c.options_stripped == CheckResult::yes && c.stripped == c.stripped_of)
    out.push_back(fmt::format("none of the {} SYN-ACKs had timestamps, window scale or SACK although our SYN "
                              "offered them: a cookie without timestamps cannot keep them (or the server lacks them)",
                              c.stripped_of));
  else if (c.options_stripped == CheckResult::yes)
    out.push_back(fmt::format("{} of {} SYN-ACKs lacked timestamps, window scale and SACK while the others had "
                              "them: those were cookies",
                              c.stripped, c.stripped_of));
  return out;
}

void print_table(std::FILE* out, const IsnRun& run, const std::vector<core::IsnSample>& samples) {
  fmt::print(out, "{:>5} {:>6} {:>11} {:>11} {:>11} {:>11} {:>6} {:>10}  {}\n", "#", "port", "ISN", "delta",
             "ISN-ours", "TSval", "IP ID", "t ms", "options");
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto& s = samples[i];
    const std::string delta = i ? fmt::format("{}", core::forward_delta(samples[i - 1].isn, s.isn)) : "-";
    std::string opts = s.tsval ? "ts" : "";
    if (s.wscale) opts += opts.empty() ? "ws" : ",ws";
    if (s.sack_permitted) opts += opts.empty() ? "sack" : ",sack";
    fmt::print(out, "{:>5} {:>5}{} {:>11} {:>11} {:>11} {:>11} {:>6} {:>10.3f}  {}\n", s.number, s.source_port,
               s.source_port == run.reused_port ? "*" : " ", s.isn, delta, s.isn - s.our_isn,
               s.tsval ? fmt::format("{}", *s.tsval) : "-", s.ip_id ? fmt::format("{}", *s.ip_id) : "-",
               static_cast<double>(s.rx_ns - samples.front().rx_ns) / 1e6, opts);
  }
  for (const auto& p : run.probes)
    if (!p.sample)
      fmt::print(out, "{:>5} {:>5}  {}\n", p.result.number, p.result.flow.local_port,
                 core::outcome_info(p.result.outcome).word);
  fmt::print(out, "(* the reused source port; delta is mod 2^32 from the row above)\n");
}

}  // namespace

void print_isn_text(std::FILE* out, const TargetInfo& target, const IsnRun& run, const core::IsnAnalysis& a,
                    const TextStyle& style) {
  const auto samples = run_samples(run);
  if (!style.quiet) {
    fmt::print(out, "ISN {} ({}): {} SYNs{}, odd ones from port {}\n", target.text, where(target), run.probes.size(),
               run.syn_text.empty() ? "" : ", options [" + run.syn_text + "]", run.reused_port);
    if (style.verbose) print_table(out, run, samples);
  }
  std::map<core::Outcome, std::size_t> outcomes;
  for (const auto& p : run.probes) ++outcomes[p.result.outcome];
  std::string others;
  for (const auto& [o, n] : outcomes)
    if (o != core::Outcome::open) others += fmt::format(", {} {}", n, core::outcome_word(o));
  fmt::print(out, "--- {}: {} SYN-ACKs to {} SYNs{}{} ---\n", where(target), a.samples, run.probes.size(), others,
             a.samples ? fmt::format(", on {} connections", a.connections) : "");
  if (samples.empty()) {
    const auto& info = core::outcome_info(run.probes.empty() ? core::Outcome::timeout : run.probes.front().result.outcome);
    fmt::print(out, "nothing to analyse: {}\n", info.human);
    return;
  }
  const std::pair<const char*, Lines> sections[] = {{"sequence numbers", sequence_lines(a, samples)},
                                                    {"timestamps", timestamp_lines(a, run.offer)},
                                                    {"IP ID", ip_id_lines(a, target)},
                                                    {"SYN cookies", cookie_lines(a)}};
  for (const auto& [label, lines] : sections)
    for (std::size_t i = 0; i < lines.size(); ++i) fmt::print(out, "{:<17} {}\n", i ? "" : label, lines[i]);
  std::fflush(out);
}

}  // namespace tcphs::app
