#include "tcphs/core/ladder.hpp"

#include <algorithm>
#include <utility>

namespace tcphs::core {
namespace {

using namespace tcp_flag;

/// a - b in sequence space (RFC 9293 §3.4: modulo 2^32).
std::int32_t seq_diff(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b); }

/// Sequence space a segment takes: payload, plus one each for SYN and FIN.
std::uint32_t seq_space(const Segment& s) {
  return s.len + ((s.flags & syn) ? 1u : 0u) + ((s.flags & fin) ? 1u : 0u);
}

/// One side's RFC 9293 state machine, fed what it sends and receives.
struct Endpoint {
  std::optional<TcpState> state;
  std::optional<std::uint32_t> fin_next;  ///< seq just after our FIN, once sent

  void on_send(const Segment& s) {
    if (!state) return;
    if (s.flags & rst) {
      state = TcpState::closed;
      return;
    }
    if ((s.flags & syn) && !(s.flags & ack) && *state == TcpState::closed) state = TcpState::syn_sent;
    if (s.flags & fin) {
      fin_next = s.seq + seq_space(s) - ((s.flags & syn) ? 1u : 0u);
      if (*state == TcpState::established || *state == TcpState::syn_received) state = TcpState::fin_wait_1;
      else if (*state == TcpState::close_wait) state = TcpState::last_ack;
    }
  }

  void on_recv(const Segment& s, std::optional<std::uint32_t> my_isn) {
    if (!state) return;
    if (s.flags & rst) {
      state = TcpState::closed;
      return;
    }
    if (s.flags & syn) {
      if ((s.flags & ack) && *state == TcpState::syn_sent) state = TcpState::established;
      else if (!(s.flags & ack) && *state == TcpState::listen) state = TcpState::syn_received;
      return;
    }
    if ((s.flags & ack) && *state == TcpState::syn_received && my_isn && s.ack == *my_isn + 1)
      state = TcpState::established;
    if ((s.flags & ack) && fin_next && seq_diff(s.ack, *fin_next) >= 0) {
      if (*state == TcpState::fin_wait_1) state = TcpState::fin_wait_2;
      else if (*state == TcpState::closing) state = TcpState::time_wait;
      else if (*state == TcpState::last_ack) state = TcpState::closed;
    }
    if (s.flags & fin) {
      if (*state == TcpState::established) state = TcpState::close_wait;
      else if (*state == TcpState::fin_wait_1) state = TcpState::closing;
      else if (*state == TcpState::fin_wait_2) state = TcpState::time_wait;
    }
  }
};

/// Per direction: the sequence ranges sent so far, to tell a segment sent
/// again (retransmission) from one that fills a hole left by a later one
/// (out of order). A segment that jumps ahead over a hole is not marked: the
/// one that fills the hole is.
struct Stream {
  std::optional<std::uint32_t> base;                         ///< first seq seen
  std::vector<std::pair<std::uint32_t, std::uint32_t>> seen;  ///< [from, to) relative to base
  std::uint32_t high = 0;                                     ///< highest `to`

  bool covered(std::uint32_t from, std::uint32_t to) const {
    std::uint32_t at = from;
    bool moved = true;
    while (at < to && moved) {
      moved = false;
      for (const auto& [a, b] : seen)
        if (a <= at && at < b) {
          at = b;
          moved = true;
        }
    }
    return at >= to;
  }

  /// Marks `row`; only segments that take sequence space count.
  void mark(LadderRow& row) {
    const Segment& s = row.seg;
    const std::uint32_t space = seq_space(s);
    if (space == 0) return;
    if (!base) base = s.seq;
    const std::uint32_t from = s.seq - *base;
    const std::uint32_t to = from + space;
    if (seq_diff(s.seq, *base) < 0 || covered(from, to)) row.retransmission = true;
    else if (from < high) row.out_of_order = true;
    if (seq_diff(s.seq, *base) >= 0) {
      seen.emplace_back(from, to);
      high = std::max(high, to);
    }
  }
};

bool pure_syn(const Segment& s) { return !s.icmp && (s.flags & syn) && !(s.flags & ack); }

/// The server's first answer to a SYN: index of the first incoming segment.
std::optional<std::size_t> first_answer(std::span<const Segment> segs) {
  for (std::size_t i = 0; i < segs.size(); ++i)
    if (segs[i].dir == SegmentDir::in) return i;
  return std::nullopt;
}

Negotiated negotiate(const Segment& syn_seg, const Segment& synack) {
  Negotiated n;
  const TcpOptions& c = syn_seg.options;
  const TcpOptions& s = synack.options;
  n.client_mss = c.mss;
  n.server_mss = s.mss;
  if (c.wscale && s.wscale) {
    n.client_wscale = c.wscale;
    n.server_wscale = s.wscale;
  }
  n.sack = c.sack_permitted && s.sack_permitted;
  n.timestamps = c.timestamps.has_value() && s.timestamps.has_value();
  n.ecn = (syn_seg.flags & ece) && (syn_seg.flags & cwr) && (synack.flags & ece) && !(synack.flags & cwr);
  return n;
}

void fill_notes(std::span<const Segment> segs, Ladder& l) {
  LadderNotes& n = l.notes;
  const Segment* last_syn = nullptr;
  const Segment* answer = nullptr;
  for (const auto& s : segs) {
    if (s.dir == SegmentDir::out && pure_syn(s)) {
      if (last_syn) n.syn_gaps_ns.push_back(s.stamp_ns - last_syn->stamp_ns);
      last_syn = &s;
      ++n.syn_count;
    }
    if (s.dir == SegmentDir::in && !answer) {
      answer = &s;
      break;
    }
  }
  if (!answer) return;
  if (answer->icmp) {
    n.end = LadderEnd::icmp;
    const Family f = answer->icmp->from.family;
    n.outcome = classify_icmp(f, answer->icmp->type, answer->icmp->code).value_or(Outcome::unreachable);
    return;
  }
  n.answer_ack = answer->ack;
  n.ack_ok = (answer->flags & ack) && answer->ack == n.client_isn + 1;
  if (answer->flags & rst) {
    n.end = LadderEnd::reset;
    n.outcome = Outcome::refused;
  } else if ((answer->flags & syn) && (answer->flags & ack)) {
    n.end = LadderEnd::established;
    n.outcome = Outcome::open;
    n.server_isn = answer->seq;
    n.rtt_ns = answer->stamp_ns - last_syn->stamp_ns;
    n.negotiated = negotiate(*last_syn, *answer);
  }
}

}  // namespace

std::string_view state_name(TcpState s) {
  switch (s) {
    case TcpState::closed: return "CLOSED";
    case TcpState::listen: return "LISTEN";
    case TcpState::syn_sent: return "SYN_SENT";
    case TcpState::syn_received: return "SYN_RECEIVED";
    case TcpState::established: return "ESTABLISHED";
    case TcpState::fin_wait_1: return "FIN_WAIT_1";
    case TcpState::fin_wait_2: return "FIN_WAIT_2";
    case TcpState::closing: return "CLOSING";
    case TcpState::time_wait: return "TIME_WAIT";
    case TcpState::close_wait: return "CLOSE_WAIT";
    case TcpState::last_ack: return "LAST_ACK";
  }
  return "?";
}

std::string flag_words(std::uint16_t f) {
  std::string out;
  auto add = [&](bool on, const char* w) {
    if (!on) return;
    if (!out.empty()) out += '-';
    out += w;
  };
  add(f & syn, "SYN");
  add(f & fin, "FIN");
  add(f & rst, "RST");
  add(f & psh, "PSH");
  add(f & urg, "URG");
  add(f & ack, "ACK");
  add(f & ece, "ECE");
  add(f & cwr, "CWR");
  if (out.empty()) out = "none";
  return out;
}

Ladder build_ladder(std::span<const Segment> all) {
  Ladder l;
  std::size_t start = 0;
  while (start < all.size() && !(all[start].dir == SegmentDir::out && pure_syn(all[start]))) ++start;
  if (start == all.size()) return l;
  const auto segs = all.subspan(start);
  l.notes.client_isn = segs.front().seq;
  fill_notes(segs, l);

  const auto answer = first_answer(segs);
  if (answer && !segs[*answer].icmp) {
    const auto f = segs[*answer].flags;
    if ((f & syn) && (f & ack)) l.server_initial = TcpState::listen;
    else if (f & rst) l.server_initial = TcpState::closed;
  }
  Endpoint client{TcpState::closed, {}};
  Endpoint server{l.server_initial, {}};
  const std::optional<std::uint32_t> client_isn = l.notes.client_isn;
  const std::optional<std::uint32_t> server_isn = l.notes.server_isn;
  Stream out_stream, in_stream;
  const std::int64_t t0 = segs.front().stamp_ns;

  for (std::size_t i = 0; i < segs.size(); ++i) {
    const Segment& s = segs[i];
    LadderRow row;
    row.seg = s;
    row.t_ns = s.stamp_ns - t0;
    const bool out = s.dir == SegmentDir::out;
    const auto& own_isn = out ? client_isn : server_isn;
    const auto& peer_isn = out ? server_isn : client_isn;
    if (!s.icmp) {
      if (own_isn) row.rel_seq = s.seq - *own_isn;
      if (peer_isn && (s.flags & ack)) row.rel_ack = s.ack - *peer_isn;
      (out ? out_stream : in_stream).mark(row);
    }
    const auto before_c = client.state;
    const auto before_s = server.state;
    if (s.icmp) {
      // A hard ICMP error ends the attempt on the client (below); it says
      // nothing of the server.
    } else if (out) {
      client.on_send(s);
      // A SYN the server did not answer before the next SYN: lost on the way.
      bool lost = false;
      if (pure_syn(s)) {
        lost = true;
        for (std::size_t j = i + 1; j < segs.size(); ++j) {
          if (segs[j].dir == SegmentDir::in) {
            lost = false;
            break;
          }
          if (pure_syn(segs[j])) break;
        }
      }
      if (!lost) server.on_recv(s, server_isn);
    } else {
      server.on_send(s);
      client.on_recv(s, client_isn);
    }
    if (s.icmp && client.state == TcpState::syn_sent) {
      // A SYN sent again after the error shows the socket did not take it
      // (Linux drops an ICMP error that finds the socket locked).
      bool resent = false;
      for (std::size_t j = i + 1; j < segs.size() && !resent; ++j) resent = pure_syn(segs[j]);
      if (!resent) client.state = TcpState::closed;
    }
    row.client_state = client.state.value_or(TcpState::closed);
    row.server_state = server.state;
    row.client_changed = client.state != before_c;
    row.server_changed = server.state != before_s;
    l.rows.push_back(std::move(row));
  }
  return l;
}

std::optional<Segment> to_segment(const Packet& p, std::int64_t stamp_ns, const FlowKey& client) {
  Segment s;
  s.stamp_ns = stamp_ns;
  if (const auto* t = p.tcp()) {
    const bool out = p.src == client.local && p.dst == client.remote && t->sport == client.local_port &&
                     t->dport == client.remote_port;
    const bool in = p.src == client.remote && p.dst == client.local && t->sport == client.remote_port &&
                    t->dport == client.local_port;
    if (!out && !in) return std::nullopt;
    s.dir = out ? SegmentDir::out : SegmentDir::in;
    s.flags = t->flags;
    s.seq = t->seq;
    s.ack = t->ack;
    s.len = t->payload_len;
    s.window = t->window;
    s.options = t->options;
    return s;
  }
  const auto* e = p.icmp();
  if (!e) return std::nullopt;
  const auto& q = e->quote;
  if (p.dst != client.local || q.src != client.local || q.dst != client.remote || q.sport != client.local_port ||
      q.dport != client.remote_port)
    return std::nullopt;
  s.dir = SegmentDir::in;
  s.seq = q.seq;
  s.icmp = LadderIcmp{e->type, e->code, p.src};
  return s;
}

std::optional<FlowKey> client_of(const Packet& p) {
  const auto* t = p.tcp();
  if (!t || !(t->flags & syn) || (t->flags & ack)) return std::nullopt;
  return FlowKey{p.src, p.dst, t->sport, t->dport};
}

}  // namespace tcphs::core
