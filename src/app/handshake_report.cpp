#include <fmt/format.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "tcphs/app/handshake_command.hpp"
#include "tcphs/app/json_records.hpp"
#include "tcphs/app/text_format.hpp"

namespace tcphs::app {
namespace {

using nlohmann::json;

std::string ms_text(core::Duration d) { return fmt::format("{:.3f} ms", static_cast<double>(d.count()) / 1e6); }

std::string states_text(const io::HandshakeRun& run) {
  std::string s;
  for (const auto& k : run.states)
    s += (s.empty() ? "" : ", ") + fmt::format("{} {}", core::state_name(k.state), k.when);
  return s;
}

std::string after_close_text(const io::HandshakeRun& run) {
  if (!run.after_close) return "kernel (sock_diag): no socket left for the 4-tuple after close";
  const auto& d = *run.after_close;
  if (d.state == core::TcpState::time_wait)
    return fmt::format("kernel (sock_diag): TIME_WAIT after close, {:.1f} s left on its timer",
                       static_cast<double>(d.expires_ms) / 1000.0);
  return fmt::format("kernel (sock_diag): {} after close", core::state_name(d.state));
}

json facts_json(const io::TcpInfoFacts& f) {
  auto opt = [](const std::optional<std::uint8_t>& v) { return v ? json(*v) : json(nullptr); };
  return {{"rtt_us", f.rtt_us}, {"snd_mss", f.snd_mss},   {"rcv_mss", f.rcv_mss},
          {"snd_wscale", opt(f.snd_wscale)}, {"rcv_wscale", opt(f.rcv_wscale)}, {"sack", f.sack},
          {"timestamps", f.timestamps}, {"ecn", f.ecn}, {"retransmits", f.total_retrans}};
}

json opt_u32(const std::optional<std::uint32_t>& v) { return v ? json(*v) : json(nullptr); }
json micros(std::int64_t ns) { return static_cast<double>(ns) / 1000.0; }

json segment_json(const core::LadderRow& r) {
  const auto& s = r.seg;
  const bool has_ack = !s.icmp && (s.flags & core::tcp_flag::ack);
  json icmp = nullptr;
  if (s.icmp) icmp = {{"type", s.icmp->type}, {"code", s.icmp->code}, {"from", s.icmp->from.to_string()}};
  return {{"type", "segment"},
          {"schema", json_schema},
          {"dir", s.dir == core::SegmentDir::out ? "out" : "in"},
          {"t_us", micros(r.t_ns)},
          {"flags", s.icmp ? json(nullptr) : json(core::flags_string(s.flags))},
          {"seq", s.seq},
          {"ack", has_ack ? json(s.ack) : json(nullptr)},
          {"rel_seq", opt_u32(r.rel_seq)},
          {"rel_ack", opt_u32(r.rel_ack)},
          {"len", s.len},
          {"window", s.icmp ? json(nullptr) : json(s.window)},
          {"options", s.icmp ? json(nullptr) : options_json(s.options)},
          {"retransmission", r.retransmission},
          {"out_of_order", r.out_of_order},
          {"icmp", icmp},
          {"client_state", core::state_name(r.client_state)},
          {"server_state", r.server_state ? json(core::state_name(*r.server_state)) : json(nullptr)},
          {"inferred", true}};
}

}  // namespace

std::string_view phase_name(io::HandshakePhase phase) {
  switch (phase) {
    case io::HandshakePhase::connect: return "connect";
    case io::HandshakePhase::send: return "send";
    case io::HandshakePhase::hold: return "hold";
    case io::HandshakePhase::close: return "close";
  }
  return "?";
}

std::string interrupted_note(const HandshakeReport& r, bool svg) {
  const auto during = [](io::HandshakePhase p) {
    switch (p) {
      case io::HandshakePhase::connect: return "while waiting for an answer to the SYN";
      case io::HandshakePhase::send: return "while sending the data";
      case io::HandshakePhase::hold: return "during --hold";
      case io::HandshakePhase::close: return "while closing";
    }
    return "";
  };
  const auto n = r.ladder.rows.size();
  std::string what = "the kernel facts so far are shown";
  if (r.run.captured)
    what = n == 0   ? "no segment was captured"
           : n == 1 ? "the one segment captured so far is shown"
                    : fmt::format("the {} segments captured so far are shown", n);
  return fmt::format("tcphs: interrupted by {} {}: {}{}", signal_name(r.run.signal),
                     during(r.run.phase), what, svg ? "; no --svg file written" : "");
}

std::vector<std::string> kernel_note_lines(const io::HandshakeRun& run, bool /*unicode*/) {
  std::vector<std::string> lines;
  if (!run.states.empty()) lines.push_back("kernel (TCP_INFO): " + states_text(run));
  if (run.connect_errno == 0) lines.push_back(after_close_text(run));
  return lines;
}

void print_handshake_facts(std::FILE* out, const HandshakeReport& r, bool unicode) {
  const auto& run = r.run;
  fmt::print(out, "HANDSHAKE {} {} {} (no capture: kernel facts only)\n",
             endpoint_text(run.flow.local, run.flow.local_port), unicode ? "→" : "->",
             endpoint_text(run.flow.remote, run.flow.remote_port));
  fmt::print(out, "connect(): {} (user clock): {}\n", ms_text(run.connect_time),
             run.connect_errno == 0 ? "connected" : std::strerror(run.connect_errno));
  if (run.info) {
    const auto& f = *run.info;
    fmt::print(out, "TCP_INFO: rtt {} {}, MSS {} (send) / {} (receive), window scale {}\n", f.rtt_us,
               unicode ? "µs" : "us", f.snd_mss, f.rcv_mss,
               f.snd_wscale ? fmt::format("{} (send) / {} (receive)", *f.snd_wscale, *f.rcv_wscale)
                            : std::string("not in use"));
    fmt::print(out, "TCP_INFO: SACK {}, timestamps {}, ECN {}, retransmissions {}\n", f.sack ? "yes" : "no",
               f.timestamps ? "yes" : "no", f.ecn ? "yes" : "no", f.total_retrans);
    if (run.send_time.count() > 0) fmt::print(out, "send(): {} (user clock)\n", ms_text(run.send_time));
    fmt::print(out, "close: {} (user clock, from the first FIN to the end of the exchange)\n", ms_text(run.close_time));
  }
  for (const auto& l : kernel_note_lines(run, unicode)) fmt::print(out, "{}\n", l);
  fmt::print(out, "outcome: {}\n", r.outcome ? core::outcome_word(*r.outcome) : "none (interrupted)");
  fmt::print(out, "note: the ladder needs capture rights: run as root, or 'sudo setcap cap_net_raw+ep "
                  "$(command -v tcphs)'\n");
}

void print_handshake_json(std::FILE* out, const HandshakeReport& r) {
  for (const auto& row : r.ladder.rows) fmt::print(out, "{}\n", segment_json(row).dump());
  const auto& n = r.ladder.notes;
  const auto& run = r.run;
  json states = json::array();
  for (const auto& k : run.states) states.push_back({{"when", k.when}, {"state", core::state_name(k.state)}});
  json after = nullptr;
  if (run.after_close)
    after = {{"state", core::state_name(run.after_close->state)}, {"expires_ms", run.after_close->expires_ms}};
  json gaps = json::array();
  for (const auto g : n.syn_gaps_ns) gaps.push_back(micros(g));
  const bool have = !r.ladder.rows.empty();
  const auto& g = n.negotiated;
  auto opt16 = [](const std::optional<std::uint16_t>& v) { return v ? json(*v) : json(nullptr); };
  auto opt8 = [](const std::optional<std::uint8_t>& v) { return v ? json(*v) : json(nullptr); };
  json negotiated = nullptr;
  if (have && n.end == core::LadderEnd::established)
    negotiated = {{"client_mss", opt16(g.client_mss)},       {"server_mss", opt16(g.server_mss)},
                  {"client_wscale", opt8(g.client_wscale)}, {"server_wscale", opt8(g.server_wscale)},
                  {"sack", g.sack}, {"timestamps", g.timestamps}, {"ecn", g.ecn}};
  json interrupted = nullptr;
  if (run.signal) interrupted = {{"signal", signal_name(run.signal)}, {"during", phase_name(run.phase)}};
  const json summary = {
      {"type", "summary"},
      {"schema", json_schema},
      {"target", r.target.text},
      {"address", r.target.address.to_string()},
      {"port", r.target.port},
      {"family", core::family_name(r.target.address.family)},
      {"source", endpoint_text(run.flow.local, run.flow.local_port)},
      {"outcome", r.outcome ? json(core::outcome_word(*r.outcome)) : json(nullptr)},
      {"captured", run.captured},
      {"rtt_us", have && n.rtt_ns ? micros(*n.rtt_ns) : json(nullptr)},
      {"ack_ok", have && n.ack_ok ? json(*n.ack_ok) : json(nullptr)},
      {"client_isn", have ? json(n.client_isn) : json(nullptr)},
      {"server_isn", have ? opt_u32(n.server_isn) : json(nullptr)},
      {"syn_count", have ? json(n.syn_count) : json(nullptr)},
      {"syn_gaps_us", gaps},
      {"negotiated", negotiated},
      {"tcp_info", run.info ? facts_json(*run.info) : json(nullptr)},
      {"kernel_states", states},
      {"after_close", after},
      {"connect_us", micros(run.connect_time.count())},
      {"connect_errno", run.connect_errno == 0 ? json(nullptr) : json(std::strerror(run.connect_errno))},
      {"interrupted", interrupted}};
  fmt::print(out, "{}\n", summary.dump());
}

}  // namespace tcphs::app
