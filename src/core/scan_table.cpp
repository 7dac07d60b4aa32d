#include "tcphs/core/scan_table.hpp"

#include <algorithm>
#include <limits>

namespace tcphs::core {

CompactReply CompactReply::from_tcp(const TcpHeader& t, std::uint8_t ttl) {
  CompactReply r;
  r.isn = t.seq;
  r.flags = t.flags;
  r.window = t.window;
  r.ttl = ttl;
  const TcpOptions& o = t.options;
  if (o.mss) r.mss = *o.mss, r.bits |= has_mss;
  if (o.wscale) r.wscale = *o.wscale, r.bits |= has_wscale;
  if (o.sack_permitted) r.bits |= sack;
  if (o.timestamps) r.ts_val = o.timestamps->val, r.ts_ecr = o.timestamps->ecr, r.bits |= has_ts;
  if (o.malformed) r.bits |= malformed;
  // RFC 3168 §6.1.1: an ECN-setup SYN-ACK has ECE set and CWR clear.
  if ((t.flags & tcp_flag::ece) && !(t.flags & tcp_flag::cwr)) r.bits |= ecn;
  return r;
}

ScanTable::ScanTable(std::size_t slots) : state_(slots), tx_(slots * 2), replies_(slots) {}

void ScanTable::add_attempt(std::size_t slot) {
  if (attempts(slot) < attempts_mask) ++state_[slot];
}

void ScanTable::unsend(std::size_t slot) {
  const std::uint32_t a = attempts(slot);
  if (a == 0 || done(slot)) return;
  state_[slot] = static_cast<std::uint16_t>((state_[slot] & ~(tx_capture << (a - 1))) - 1);
  tx_[slot * 2 + a - 1] = 0;
}

void ScanTable::set_tx(std::size_t slot, std::uint32_t attempt, Stamp stamp) {
  if (attempt < 1 || attempt > 2 || done(slot)) return;
  const auto bit = static_cast<std::uint16_t>(tx_capture << (attempt - 1));
  if (state_[slot] & bit) return;
  if (stamp.source == StampSource::capture) state_[slot] |= bit;
  tx_[slot * 2 + attempt - 1] = stamp.ns;
}

std::optional<std::int64_t> ScanTable::finish(std::size_t slot, Outcome outcome, std::uint32_t attempt, Stamp rx,
                                              const CompactReply& reply) {
  std::uint16_t s = state_[slot];
  std::optional<std::int64_t> rtt;
  const std::int64_t tx = attempt >= 1 && attempt <= 2 ? tx_[slot * 2 + attempt - 1] : 0;
  if (tx != 0) {
    rtt = rx.ns - tx;
    s |= has_rtt;
    if (!(s & (tx_capture << (attempt - 1)))) s |= rtt_user;
  }
  s = static_cast<std::uint16_t>(s | done_bit | static_cast<std::uint16_t>(outcome) << outcome_shift);
  if (attempt == 2) s |= second_attempt;
  state_[slot] = s;
  tx_[slot * 2] = rtt.value_or(0);
  replies_[slot] = reply;
  return rtt;
}

void ScanTable::finish_timeout(std::size_t slot) {
  state_[slot] = static_cast<std::uint16_t>(
      (state_[slot] & attempts_mask) | done_bit | static_cast<std::uint16_t>(Outcome::timeout) << outcome_shift);
}

std::uint16_t ScanTable::icmp_sender(const IpAddress& from) {
  auto it = std::find(icmp_senders_.begin(), icmp_senders_.end(), from);
  if (it != icmp_senders_.end()) return static_cast<std::uint16_t>(it - icmp_senders_.begin());
  // Past 65,535 distinct senders the last one stands in for the rest.
  if (icmp_senders_.size() > std::numeric_limits<std::uint16_t>::max()) return std::numeric_limits<std::uint16_t>::max();
  icmp_senders_.push_back(from);
  return static_cast<std::uint16_t>(icmp_senders_.size() - 1);
}

std::optional<Outcome> ScanTable::outcome(std::size_t slot) const {
  if (!done(slot)) return std::nullopt;
  return static_cast<Outcome>((state_[slot] >> outcome_shift) & 0x7);
}

std::optional<std::int64_t> ScanTable::rtt_ns(std::size_t slot) const {
  if (!done(slot) || !(state_[slot] & has_rtt)) return std::nullopt;
  return tx_[slot * 2];
}

std::optional<ProbeResult> ScanTable::result(std::size_t slot) const {
  const auto o = outcome(slot);
  if (!o) return std::nullopt;
  const std::uint16_t s = state_[slot];
  ProbeResult r;
  r.number = 1;
  r.outcome = *o;
  r.attempt = *o == Outcome::timeout ? attempts(slot) : ((s & second_attempt) ? 2 : 1);
  r.rtt_ns = rtt_ns(slot);
  r.rtt_source = (s & rtt_user) ? StampSource::user : StampSource::capture;
  r.mode = ProbeMode::raw;
  if (*o == Outcome::timeout) return r;
  const CompactReply& c = replies_[slot];
  if (c.bits & CompactReply::is_icmp) {
    IcmpInfo icmp;
    icmp.type = c.icmp_type;
    icmp.code = c.icmp_code;
    if (c.icmp_from < icmp_senders_.size()) icmp.from = icmp_senders_[c.icmp_from];
    r.icmp = icmp;
    return r;
  }
  ReplyInfo reply;
  reply.flags = c.flags;
  reply.ttl = c.ttl;
  reply.window = c.window;
  if (c.flags & tcp_flag::syn) reply.isn = c.isn;  // an RST's seq is not an ISN
  reply.ecn = c.bits & CompactReply::ecn;
  if (c.bits & CompactReply::has_mss) reply.options.mss = c.mss;
  if (c.bits & CompactReply::has_wscale) reply.options.wscale = c.wscale;
  reply.options.sack_permitted = c.bits & CompactReply::sack;
  if (c.bits & CompactReply::has_ts) reply.options.timestamps = TcpTimestamps{c.ts_val, c.ts_ecr};
  reply.options.malformed = c.bits & CompactReply::malformed;
  r.reply = reply;
  return r;
}

}  // namespace tcphs::core
