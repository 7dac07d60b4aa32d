#include "tcphs/core/scan_engine.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tcphs::core {
namespace {

/// The rate is halved at most this often, so one burst of drops (reported
/// over several polls) costs one step.
constexpr Duration back_off_spacing = std::chrono::milliseconds(100);
/// ICMP errors look rate limited when at least this many ports, and at
/// least a tenth of the ICMP-answered ones, answered only on the retry.
constexpr std::uint64_t icmp_retry_threshold = 10;

bool is_syn_only(const TcpHeader& t) {
  return (t.flags & tcp_flag::syn) && !(t.flags & (tcp_flag::ack | tcp_flag::rst));
}

}  // namespace

ScanEngine::ScanEngine(ScanConfig config, CookieKey key, Instant start)
    : config_(std::move(config)),
      key_(key),
      order_(0, 0),
      table_(0),
      bucket_(config_.rate, burst_for_rate(config_.rate), start) {}

Result<ScanEngine> ScanEngine::make(ScanConfig config, CookieKey key, const std::vector<ScanHost>& hosts,
                                    Instant start) {
  if (config.ports.empty()) return usage_error("scan: no ports to scan");
  if (hosts.empty()) return usage_error("scan: no hosts to scan");
  if (config.retries > 1) return usage_error(fmt::format("--retries {}: a scan retransmits at most once", config.retries));
  if (!(config.rate > 0 && config.rate <= max_scan_rate))
    return usage_error(fmt::format("--rate {}: must be above 0 and at most {:.0f}", config.rate, max_scan_rate));
  config.batch = std::max<std::size_t>(config.batch, 1);
  ScanEngine e(std::move(config), key, start);
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    SynSpec spec = hosts[i].syn;
    spec.flow.remote_port = 0;
    spec.seq = 0;
    auto syn = SynTemplate::make(spec);
    if (!syn)
      return usage_error(fmt::format("scan: cannot craft a SYN from {} to {}", spec.flow.local.to_string(),
                                     spec.flow.remote.to_string()));
    e.hosts_.push_back(Host{*syn, spec.flow});
    e.by_remote_.emplace_back(spec.flow.remote, i);
  }
  std::sort(e.by_remote_.begin(), e.by_remote_.end());
  const std::uint64_t total = hosts.size() * e.config_.ports.size();
  e.order_ = ScanOrder(total, e.config_.order_seed);
  e.table_ = ScanTable(total);
  e.outstanding_ = total;
  e.pending_.reserve(e.config_.batch);
  return e;
}

std::uint32_t ScanEngine::cookie(std::size_t host, std::uint16_t remote_port, std::uint32_t attempt) const {
  FlowKey flow = hosts_[host].flow;
  flow.remote_port = remote_port;
  return syn_cookie(key_, flow, attempt);
}

Instant ScanEngine::first_sent_at(std::uint64_t position) {
  while (log_at_ + 1 < sent_log_.size() && sent_log_[log_at_ + 1].first <= position) ++log_at_;
  return sent_log_[log_at_].second;
}

std::optional<ScanEngine::Pending> ScanEngine::next_retransmission(Instant now) {
  const Duration wait = adaptive_wait(rtts_, config_.wait);
  while (retx_ < fresh_) {
    const std::size_t slot = order_.at(retx_);
    if (table_.done(slot) || table_.attempts(slot) > config_.retries) {
      ++retx_;
      continue;
    }
    // Positions were sent in ascending order, so a later one is not due either.
    if (now < first_sent_at(retx_) + wait) return std::nullopt;
    return Pending{retx_++, slot, 2};
  }
  return std::nullopt;
}

std::size_t ScanEngine::take_sends(Instant now, std::span<ScanSend> out) {
  pending_.clear();
  if (icmp_back_off_due_) {
    icmp_back_off_due_ = false;
    back_off(now,
             fmt::format("{} ports answered with ICMP only on the retransmission: ICMP errors look rate limited",
                         counters_.icmp_on_retry),
             true);
  }
  const std::size_t limit = std::min(out.size(), config_.batch);
  bool logged = false;
  while (pending_.size() < limit) {
    std::optional<Pending> next = next_retransmission(now);
    if (!next && fresh_ < order_.size()) next = Pending{fresh_, order_.at(fresh_), 1};
    if (!next) break;
    if (bucket_.take(now, 1) == 0) {
      if (next->attempt == 2) retx_ = next->position;  // still due next time
      break;
    }
    if (next->attempt == 1) {
      if (!logged && (sent_log_.empty() || sent_log_.back().second != now)) sent_log_.emplace_back(fresh_, now);
      logged = true;
      ++fresh_;
    }
    const std::size_t host = next->slot / config_.ports.size();
    const std::uint16_t port = config_.ports[next->slot % config_.ports.size()];
    const std::uint32_t seq = cookie(host, port, next->attempt);
    ScanSend& s = out[pending_.size()];
    s.dst = hosts_[host].flow.remote;
    // A TSval that says nothing about us (RFC 7323 §7.1 allows any start).
    s.size = hosts_[host].syn.write(port, seq, seq ^ 0x5bd1e995u, s.bytes);
    table_.add_attempt(next->slot);
    pending_.push_back(*next);
  }
  return pending_.size();
}

void ScanEngine::sent(std::size_t accepted, Instant now, Stamp user_clock) {
  accepted = std::min(accepted, pending_.size());
  for (std::size_t i = 0; i < accepted; ++i) {
    const Pending& p = pending_[i];
    table_.set_tx(p.slot, p.attempt, user_clock);
    ++(p.attempt == 1 ? counters_.first_sent : counters_.retransmitted);
  }
  if (accepted > 0) last_send_ = now;
  // The kernel stayed busy: put the rest back in order, as if never taken.
  for (std::size_t i = accepted; i < pending_.size(); ++i) {
    const Pending& p = pending_[i];
    table_.unsend(p.slot);
    if (p.attempt == 1) fresh_ = std::min(fresh_, p.position);
    else retx_ = std::min(retx_, p.position);
  }
  if (accepted < pending_.size()) {
    bucket_.refund(pending_.size() - accepted);
    while (!sent_log_.empty() && sent_log_.back().first >= fresh_) sent_log_.pop_back();
    if (sent_log_.empty() || sent_log_.back().first < fresh_) sent_log_.emplace_back(fresh_, now);
    log_at_ = 0;
  }
  pending_.clear();
}

void ScanEngine::expire(Instant now) {
  if (outstanding_ == 0 || fresh_ < order_.size() || !last_send_) return;
  // Settle the retransmission cursor first: a slot still due for its retry
  // is not over.
  while (retx_ < fresh_) {
    const std::size_t slot = order_.at(retx_);
    if (!table_.done(slot) && table_.attempts(slot) <= config_.retries) return;
    ++retx_;
  }
  if (now < *last_send_ + adaptive_wait(rtts_, config_.wait)) return;
  for (std::size_t slot = 0; slot < table_.size(); ++slot) {
    if (table_.done(slot)) continue;
    table_.finish_timeout(slot);
    --outstanding_;
  }
}

std::optional<Instant> ScanEngine::next_deadline(Instant now) const {
  if (outstanding_ == 0) return std::nullopt;
  const Duration wait = adaptive_wait(rtts_, config_.wait);
  std::optional<Instant> at;
  auto consider = [&](Instant t) { at = at ? std::min(*at, t) : t; };
  const std::size_t batch = std::min(config_.batch, bucket_.burst());
  if (fresh_ < order_.size())
    consider(bucket_.next_tokens_at(now, std::min<std::uint64_t>(batch, order_.size() - fresh_)));
  if (retx_ < fresh_) {
    // The entry covering retx_; an earlier answer only wakes the loop early.
    auto it = std::upper_bound(sent_log_.begin(), sent_log_.end(), retx_,
                               [](std::uint64_t pos, const auto& e) { return pos < e.first; });
    const Instant first = it == sent_log_.begin() ? now : std::prev(it)->second;
    consider(std::max(first + wait, bucket_.next_tokens_at(now)));
  }
  if (fresh_ == order_.size() && last_send_) consider(*last_send_ + wait);
  return at;
}

std::optional<std::size_t> ScanEngine::host_of(const IpAddress& remote, const IpAddress& local,
                                               std::uint16_t local_port) const {
  auto it = std::lower_bound(by_remote_.begin(), by_remote_.end(), remote,
                             [](const auto& e, const IpAddress& a) { return e.first < a; });
  for (; it != by_remote_.end() && it->first == remote; ++it) {
    const FlowKey& f = hosts_[it->second].flow;
    if (f.local == local && f.local_port == local_port) return it->second;
  }
  return std::nullopt;
}

std::optional<std::size_t> ScanEngine::port_index(std::uint16_t port) const {
  const auto& ports = config_.ports;
  auto it = std::lower_bound(ports.begin(), ports.end(), port);
  if (it == ports.end() || *it != port) return std::nullopt;
  return static_cast<std::size_t>(it - ports.begin());
}

std::optional<std::uint32_t> ScanEngine::attempt_for(std::size_t host, std::size_t slot, std::uint16_t port,
                                                     std::uint32_t seq) const {
  for (std::uint32_t a = 1; a <= table_.attempts(slot); ++a)
    if (cookie(host, port, a) == seq) return a;
  return std::nullopt;
}

void ScanEngine::on_packet(std::span<const std::uint8_t> ip, Stamp stamp) {
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

void ScanEngine::on_tcp(const Packet& p, const TcpHeader& t, Stamp stamp) {
  if (is_syn_only(t)) {
    // Our own SYN as the capture saw it: its stamp is the transmit time.
    const auto host = host_of(p.dst, p.src, t.sport);
    const auto index = port_index(t.dport);
    if (host && index) {
      const std::size_t slot = this->slot(*host, *index);
      if (auto a = attempt_for(*host, slot, t.dport, t.seq)) {
        ++counters_.own_syns;
        table_.set_tx(slot, *a, stamp);
        return;
      }
    }
    ++counters_.ignored;
    return;
  }
  // A reply counts only with our addresses and ports and ack = cookie + 1
  // (RFC 9293 §3.10.7.3); anything else is ignored, never classified.
  const auto host = host_of(p.src, p.dst, t.dport);
  const auto index = port_index(t.sport);
  const auto outcome = classify_tcp(t.flags);
  if (!host || !index || !outcome || !(t.flags & tcp_flag::ack)) {
    ++counters_.ignored;
    return;
  }
  const std::size_t slot = this->slot(*host, *index);
  const auto attempt = attempt_for(*host, slot, t.sport, t.ack - 1);
  if (!attempt) {
    ++counters_.ignored;
    return;
  }
  decide(slot, *outcome, *attempt, stamp, CompactReply::from_tcp(t, p.ttl));
}

void ScanEngine::on_icmp(const Packet& p, const IcmpError& e, Stamp stamp) {
  // An ICMP error counts only when its quote carries our addresses, ports
  // and the sequence number of one of our SYNs (RFC 5927 §4.1).
  const IcmpQuote& q = e.quote;
  const auto host = host_of(q.dst, q.src, q.sport);
  const auto index = port_index(q.dport);
  const auto outcome = classify_icmp(p.src.family, e.type, e.code);
  if (!host || !index || !outcome) {
    ++counters_.ignored;
    return;
  }
  const std::size_t slot = this->slot(*host, *index);
  const auto attempt = attempt_for(*host, slot, q.dport, q.seq);
  if (!attempt) {
    ++counters_.ignored;
    return;
  }
  CompactReply r;
  r.bits = CompactReply::is_icmp;
  r.icmp_type = e.type;
  r.icmp_code = e.code;
  r.ttl = p.ttl;
  if (!table_.done(slot)) r.icmp_from = table_.icmp_sender(p.src);
  decide(slot, *outcome, *attempt, stamp, r);
  if (*attempt == 2 && ++counters_.icmp_on_retry >= icmp_retry_threshold && !icmp_limited_ &&
      counters_.icmp_on_retry * 10 >= counters_.icmp_answered) {
    icmp_limited_ = true;
    icmp_back_off_due_ = true;
  }
}

void ScanEngine::decide(std::size_t slot, Outcome outcome, std::uint32_t attempt, Stamp rx, const CompactReply& reply) {
  if (table_.done(slot)) {
    ++counters_.duplicates;
    return;
  }
  if (auto rtt = table_.finish(slot, outcome, attempt, rx, reply)) rtts_.add(*rtt);
  --outstanding_;
  ++counters_.answered;
  if (attempt == 2) ++counters_.answered_on_retry;
  if (reply.bits & CompactReply::is_icmp) ++counters_.icmp_answered;
}

void ScanEngine::on_capture_drops(std::uint64_t dropped, std::uint64_t received, Instant now) {
  const std::uint64_t received_since = received > received_seen_ ? received - received_seen_ : 0;
  received_seen_ = std::max(received_seen_, received);
  if (dropped <= drops_seen_) return;
  const std::uint64_t fresh_drops = dropped - drops_seen_;
  drops_seen_ = dropped;
  counters_.capture_drops += fresh_drops;
  // A handful of drops (a reader delayed once) is noted, not worth halving
  // the rate for: the retransmission covers the ports they hid.
  const bool heavy = fresh_drops * 100 >= received_since + fresh_drops;
  if (heavy) {
    back_off(now, fmt::format("the capture dropped {} packets", fresh_drops), false);
  } else {
    notes_.push_back(fmt::format("the capture dropped {} of {} packets", fresh_drops, received_since + fresh_drops));
  }
}

void ScanEngine::back_off(Instant now, const std::string& why, bool always) {
  if (!config_.adaptive_rate) {
    notes_.push_back(why);
    return;
  }
  if (!always && last_back_off_ && now - *last_back_off_ < back_off_spacing) return;
  last_back_off_ = now;
  const double old_rate = bucket_.rate();
  const double rate = std::max(min_scan_rate, old_rate / 2);
  if (rate < old_rate) bucket_.set_rate(rate, now, burst_for_rate(rate));
  notes_.push_back(rate < old_rate ? fmt::format("{}: rate lowered from {:.0f} to {:.0f} pps", why, old_rate, rate)
                                   : fmt::format("{} (rate already at its minimum, {:.0f} pps)", why, rate));
}

std::vector<std::string> ScanEngine::take_notes() { return std::exchange(notes_, {}); }

}  // namespace tcphs::core
