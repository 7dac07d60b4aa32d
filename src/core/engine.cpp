#include "tcphs/core/engine.hpp"

#include <algorithm>

namespace tcphs::core {
namespace {

/// RFC 6298 §5.5: the timer backs off by doubling after each retransmission.
Duration backoff(Duration rto, std::uint32_t attempt) {
  return rto * (std::int64_t{1} << std::min<std::uint32_t>(attempt - 1, 30));
}

bool is_our_syn(const TcpHeader& t) {
  return (t.flags & tcp_flag::syn) && !(t.flags & (tcp_flag::ack | tcp_flag::rst));
}

}  // namespace

Engine::Engine(EngineConfig config, CookieKey key) : config_(config), key_(key) {}

std::uint32_t Engine::seq_for(const FlowKey& flow, std::uint32_t number, std::uint32_t attempt) const {
  // Probes that share a flow (a fixed --source-port) differ by number.
  return syn_cookie(key_, flow, number << 8 | (attempt & 0xff));
}

ProbeId Engine::add(const ProbeRequest& request) { return add(request, config_); }

ProbeId Engine::add(const ProbeRequest& request, const EngineConfig& timing) {
  const auto id = static_cast<ProbeId>(probes_.size());
  probes_.push_back(Probe{request, timing, State::waiting, {}, {}, request.due});
  by_flow_[request.syn.flow].push_back(id);
  ++outstanding_;
  schedule(id, request.due);
  return id;
}

void Engine::schedule(ProbeId id, Instant at) {
  probes_[id].deadline = at;
  due_.push(Due{at, id});
}

std::optional<Instant> Engine::next_deadline() const {
  // Stale heap entries only make the loop wake early, never late.
  if (due_.empty()) return std::nullopt;
  return due_.top().at;
}

std::vector<Send> Engine::take_sends(Instant now, std::size_t max) {
  std::vector<Send> sends;
  while (!due_.empty() && due_.top().at <= now) {
    const Due d = due_.top();
    Probe& p = probes_[d.id];
    if (p.state == State::finished || p.deadline != d.at) {
      due_.pop();  // stale entry
      continue;
    }
    const EngineConfig& cfg = p.timing;
    const auto sent = static_cast<std::uint32_t>(p.attempts.size());
    const bool past_total = cfg.total_timeout.count() > 0 && p.state == State::in_flight &&
                            now >= p.first_sent + cfg.total_timeout;
    if (p.state == State::in_flight && (sent > cfg.retries || past_total)) {
      due_.pop();
      finish(d.id, ProbeResult{}, sent, std::nullopt);  // every attempt unanswered: timeout
      continue;
    }
    if (sends.size() >= max) break;
    due_.pop();
    const std::uint32_t attempt = sent + 1;
    SynSpec syn = p.request.syn;
    syn.seq = seq_for(syn.flow, p.request.number, attempt);
    // A TSval that says nothing about us (RFC 7323 §7.1 allows any start).
    if (syn.options.timestamps && syn.ts_val == 0) syn.ts_val = syn.seq ^ 0x5bd1e995u;
    p.attempts.push_back(Attempt{syn.seq, std::nullopt, std::nullopt});
    if (p.state == State::waiting) {
      p.state = State::in_flight;
      p.first_sent = now;
    }
    Instant next = now + backoff(cfg.rto, attempt);
    if (cfg.total_timeout.count() > 0) next = std::min(next, p.first_sent + cfg.total_timeout);
    schedule(d.id, next);
    sends.push_back(Send{d.id, p.request.target_index, attempt, syn.flow.remote, craft_syn(syn)});
  }
  return sends;
}

void Engine::on_sent(ProbeId id, std::uint32_t attempt, Stamp user_clock) {
  if (id >= probes_.size() || attempt == 0 || attempt > probes_[id].attempts.size()) return;
  probes_[id].attempts[attempt - 1].tx_user = user_clock;
}

void Engine::on_refused(ProbeId id, std::uint32_t attempt, Outcome outcome) {
  if (id >= probes_.size() || probes_[id].state == State::finished) return;
  ProbeResult r;
  r.outcome = outcome;
  // The refused attempt never left; the ones before it went unanswered.
  finish(id, std::move(r), attempt == 0 ? 0 : attempt - 1, std::nullopt);
}

void Engine::on_packet(std::span<const std::uint8_t> ip, Stamp stamp) {
  ++counters_.packets;
  auto decoded = decode_packet(ip);
  const Packet* p = std::get_if<Packet>(&decoded);
  if (!p) {
    ++counters_.undecodable;
    return;
  }
  if (const TcpHeader* t = p->tcp()) on_tcp(*p, *t, stamp);
  else on_icmp(*p, *p->icmp(), stamp);
}

std::optional<std::pair<ProbeId, std::uint32_t>> Engine::find(const FlowKey& flow,
                                                              std::uint32_t seq) const {
  auto it = by_flow_.find(flow);
  if (it == by_flow_.end()) return std::nullopt;
  for (ProbeId id : it->second) {
    const auto& attempts = probes_[id].attempts;
    for (std::size_t i = 0; i < attempts.size(); ++i)
      if (attempts[i].seq == seq) return std::pair{id, static_cast<std::uint32_t>(i + 1)};
  }
  return std::nullopt;
}

void Engine::on_tcp(const Packet& p, const TcpHeader& t, Stamp stamp) {
  // Our own SYN as the capture saw it: its stamp is the kernel's transmit time.
  if (is_our_syn(t)) {
    FlowKey out{p.src, p.dst, t.sport, t.dport};
    if (auto hit = find(out, t.seq)) {
      Attempt& a = probes_[hit->first].attempts[hit->second - 1];
      if (!a.tx) a.tx = stamp;
      return;
    }
  }
  // A reply matches only on exact addresses and ports and ack = ISN+1
  // (RFC 9293 §3.10.7.3); anything else is ignored, never classified.
  FlowKey back{p.dst, p.src, t.dport, t.sport};
  auto hit = find(back, t.ack - 1);
  auto outcome = hit ? classify_tcp(t.flags) : std::nullopt;
  if (!hit || !outcome || !(t.flags & tcp_flag::ack)) {
    ++counters_.ignored;
    return;
  }
  ++counters_.matched;
  ProbeResult r;
  r.outcome = *outcome;
  const bool ecn = (t.flags & tcp_flag::ece) && !(t.flags & tcp_flag::cwr);
  const auto ip_id = p.src.family == Family::ipv4 ? std::optional<std::uint16_t>(p.ip_id) : std::nullopt;
  // Only a SYN carries an initial sequence number; an RST's seq is not one.
  const auto isn = (t.flags & tcp_flag::syn) ? std::optional<std::uint32_t>(t.seq) : std::nullopt;
  r.reply = ReplyInfo{t.flags, p.ttl, t.window, isn, ecn, t.options, ip_id};
  finish(hit->first, std::move(r), hit->second, stamp);
}

void Engine::on_icmp(const Packet& p, const IcmpError& e, Stamp stamp) {
  // An ICMP error matches only when its quote carries our addresses, ports
  // and the sequence number of one of our attempts (RFC 5927 §4.1).
  const IcmpQuote& q = e.quote;
  FlowKey quoted{q.src, q.dst, q.sport, q.dport};
  auto hit = find(quoted, q.seq);
  auto outcome = hit ? classify_icmp(p.src.family, e.type, e.code) : std::nullopt;
  if (!hit || !outcome) {
    ++counters_.ignored;
    return;
  }
  ++counters_.matched;
  ProbeResult r;
  r.outcome = *outcome;
  r.icmp = IcmpInfo{e.type, e.code, p.src, e.quote};
  finish(hit->first, std::move(r), hit->second, stamp);
}

void Engine::finish(ProbeId id, ProbeResult r, std::uint32_t attempt, std::optional<Stamp> rx) {
  Probe& p = probes_[id];
  r.target_index = p.request.target_index;
  r.number = p.request.number;
  r.attempt = attempt;
  r.flow = p.request.syn.flow;
  r.mode = ProbeMode::raw;
  r.rx = rx;
  if (rx && attempt >= 1) {
    const Attempt& a = p.attempts[attempt - 1];
    if (a.tx) {
      r.rtt_ns = rtt_ns(*a.tx, *rx);
      r.rtt_source = StampSource::capture;
    } else if (a.tx_user) {
      r.rtt_ns = rtt_ns(*a.tx_user, *rx);
      r.rtt_source = StampSource::user;
    }
  }
  p.state = State::finished;
  --outstanding_;
  auto& list = by_flow_[r.flow];
  std::erase(list, id);
  if (list.empty()) by_flow_.erase(r.flow);
  results_.push_back(std::move(r));
}

std::vector<ProbeResult> Engine::take_results() { return std::exchange(results_, {}); }

}  // namespace tcphs::core
