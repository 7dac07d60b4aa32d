#include "tcphs/core/ladder.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace tcphs;
using core::Segment;
using core::SegmentDir;
using core::TcpState;
namespace f = core::tcp_flag;

namespace {

constexpr std::uint32_t kC = 4000000000u;  // client ISN: near the wrap, on purpose
constexpr std::uint32_t kS = 1000u;        // server ISN

Segment seg(SegmentDir d, std::int64_t us, std::uint16_t flags, std::uint32_t seq, std::uint32_t ack,
            std::uint16_t len = 0) {
  Segment s;
  s.dir = d;
  s.stamp_ns = 1'700'000'000'000'000'000 + us * 1000;
  s.flags = flags;
  s.seq = seq;
  s.ack = ack;
  s.len = len;
  s.window = 512;
  return s;
}
Segment out(std::int64_t us, std::uint16_t fl, std::uint32_t seq, std::uint32_t ack, std::uint16_t len = 0) {
  return seg(SegmentDir::out, us, fl, seq, ack, len);
}
Segment in(std::int64_t us, std::uint16_t fl, std::uint32_t seq, std::uint32_t ack, std::uint16_t len = 0) {
  return seg(SegmentDir::in, us, fl, seq, ack, len);
}

Segment syn_with_options(std::int64_t us, std::uint16_t extra = 0) {
  Segment s = out(us, f::syn | extra, kC, 0);
  s.options.mss = 1460;
  s.options.wscale = 7;
  s.options.sack_permitted = true;
  s.options.timestamps = core::TcpTimestamps{11, 0};
  return s;
}
Segment synack_with_options(std::int64_t us, std::uint16_t extra = 0) {
  Segment s = in(us, f::syn | f::ack | extra, kS, kC + 1);
  s.options.mss = 1400;
  s.options.wscale = 10;
  s.options.sack_permitted = true;
  s.options.timestamps = core::TcpTimestamps{99, 11};
  return s;
}

/// A full exchange: handshake, 6 bytes of data, client-initiated close.
std::vector<Segment> client_close() {
  return {syn_with_options(0),
          synack_with_options(80),
          out(95, f::ack, kC + 1, kS + 1),
          out(120, f::psh | f::ack, kC + 1, kS + 1, 6),
          in(200, f::ack, kS + 1, kC + 7),
          out(50000, f::fin | f::ack, kC + 7, kS + 1),
          in(50100, f::fin | f::ack, kS + 1, kC + 8),
          out(50110, f::ack, kC + 8, kS + 2)};
}

}  // namespace

TEST_CASE("ladder: relative numbers per side, across the 2^32 wrap") {
  const auto segs = client_close();
  const auto l = core::build_ladder(segs);
  REQUIRE(l.rows.size() == 8);
  CHECK(*l.rows[0].rel_seq == 0);
  CHECK_FALSE(l.rows[0].rel_ack.has_value());  // a SYN carries no ACK
  CHECK(*l.rows[1].rel_seq == 0);
  CHECK(*l.rows[1].rel_ack == 1);  // the SYN took one number
  CHECK(*l.rows[2].rel_seq == 1);
  CHECK(*l.rows[2].rel_ack == 1);
  CHECK(*l.rows[4].rel_ack == 7);
  CHECK(*l.rows[5].rel_seq == 7);
  CHECK(*l.rows[6].rel_ack == 8);  // the FIN took one number too
  CHECK(*l.rows[7].rel_ack == 2);
  CHECK(l.rows[5].t_ns == 50'000'000);
  for (const auto& r : l.rows) {
    CHECK_FALSE(r.retransmission);
    CHECK_FALSE(r.out_of_order);
  }
}

TEST_CASE("ladder: both sides' states through a client close") {
  const auto segs = client_close();
  const auto l = core::build_ladder(segs);
  REQUIRE(l.server_initial.has_value());
  CHECK(*l.server_initial == TcpState::listen);
  const TcpState client[] = {TcpState::syn_sent,   TcpState::established, TcpState::established,
                             TcpState::established, TcpState::established, TcpState::fin_wait_1,
                             TcpState::time_wait,   TcpState::time_wait};
  const TcpState server[] = {TcpState::syn_received, TcpState::syn_received, TcpState::established,
                             TcpState::established,  TcpState::established,  TcpState::close_wait,
                             TcpState::last_ack,     TcpState::closed};
  for (std::size_t i = 0; i < 8; ++i) {
    CAPTURE(i);
    CHECK(core::state_name(l.rows[i].client_state) == core::state_name(client[i]));
    REQUIRE(l.rows[i].server_state.has_value());
    CHECK(core::state_name(*l.rows[i].server_state) == core::state_name(server[i]));
  }
  CHECK(l.rows[0].client_changed);
  CHECK_FALSE(l.rows[3].client_changed);
}

TEST_CASE("ladder: a FIN-ACK that does not ack our FIN goes through CLOSING") {
  std::vector<Segment> segs = client_close();
  segs.resize(6);
  segs.push_back(in(50100, f::fin | f::ack, kS + 1, kC + 7));  // simultaneous close
  segs.push_back(in(50200, f::ack, kS + 2, kC + 8));
  const auto l = core::build_ladder(segs);
  CHECK(core::state_name(l.rows[6].client_state) == "CLOSING");
  CHECK(core::state_name(l.rows[7].client_state) == "TIME_WAIT");
}

TEST_CASE("ladder: server-initiated close") {
  std::vector<Segment> segs = client_close();
  segs.resize(3);
  segs.push_back(in(300, f::fin | f::ack, kS + 1, kC + 1));
  segs.push_back(out(310, f::ack, kC + 1, kS + 2));
  segs.push_back(out(400, f::fin | f::ack, kC + 1, kS + 2));
  segs.push_back(in(480, f::ack, kS + 2, kC + 2));
  const auto l = core::build_ladder(segs);
  CHECK(core::state_name(l.rows[3].client_state) == "CLOSE_WAIT");
  CHECK(core::state_name(*l.rows[3].server_state) == "FIN_WAIT_1");
  CHECK(core::state_name(*l.rows[4].server_state) == "FIN_WAIT_2");
  CHECK(core::state_name(l.rows[5].client_state) == "LAST_ACK");
  CHECK(core::state_name(*l.rows[5].server_state) == "TIME_WAIT");
  CHECK(core::state_name(l.rows[6].client_state) == "CLOSED");
}

TEST_CASE("ladder notes: RTT, ack check, negotiated options") {
  const auto segs = client_close();
  const auto l = core::build_ladder(segs);
  const auto& n = l.notes;
  CHECK(n.end == core::LadderEnd::established);
  CHECK(n.outcome == core::Outcome::open);
  CHECK(n.client_isn == kC);
  CHECK(*n.server_isn == kS);
  CHECK(*n.rtt_ns == 80'000);
  CHECK(*n.ack_ok);
  CHECK(n.syn_count == 1);
  CHECK(n.syn_gaps_ns.empty());
  CHECK(*n.negotiated.client_mss == 1460);
  CHECK(*n.negotiated.server_mss == 1400);
  CHECK(*n.negotiated.client_wscale == 7);
  CHECK(*n.negotiated.server_wscale == 10);
  CHECK(n.negotiated.sack);
  CHECK(n.negotiated.timestamps);
  CHECK_FALSE(n.negotiated.ecn);
}

TEST_CASE("ladder notes: options only one side offered are not in use; ECN handshake") {
  Segment syn = syn_with_options(0, f::ece | f::cwr);
  Segment sa = synack_with_options(50, f::ece);
  sa.options.wscale.reset();
  sa.options.timestamps.reset();
  const std::vector<Segment> segs{syn, sa};
  const auto n = core::build_ladder(segs).notes;
  CHECK_FALSE(n.negotiated.client_wscale.has_value());
  CHECK_FALSE(n.negotiated.server_wscale.has_value());
  CHECK_FALSE(n.negotiated.timestamps);
  CHECK(n.negotiated.sack);
  CHECK(n.negotiated.ecn);
}

TEST_CASE("ladder notes: a wrong ack fails the ISN+1 check") {
  Segment sa = synack_with_options(50);
  sa.ack = kC + 2;
  const std::vector<Segment> segs{syn_with_options(0), sa};
  CHECK_FALSE(*core::build_ladder(segs).notes.ack_ok);
}

TEST_CASE("ladder: a lost SYN, its retransmission and the backoff") {
  const std::vector<Segment> segs{syn_with_options(0), syn_with_options(1'015'000), synack_with_options(1'015'060),
                                  out(1'015'075, f::ack, kC + 1, kS + 1)};
  const auto l = core::build_ladder(segs);
  CHECK_FALSE(l.rows[0].retransmission);
  CHECK(l.rows[1].retransmission);
  CHECK(l.notes.syn_count == 2);
  REQUIRE(l.notes.syn_gaps_ns.size() == 1);
  CHECK(l.notes.syn_gaps_ns[0] == 1'015'000'000);
  CHECK(*l.notes.rtt_ns == 60'000);  // from the SYN that was answered
  // The first SYN never reached the server: it stays in LISTEN.
  CHECK(core::state_name(*l.rows[0].server_state) == "LISTEN");
  CHECK_FALSE(l.rows[0].server_changed);
  CHECK(core::state_name(*l.rows[1].server_state) == "SYN_RECEIVED");
}

TEST_CASE("ladder: refused, ICMP and no reply end the attempt") {
  SUBCASE("RST") {
    const std::vector<Segment> segs{syn_with_options(0), in(40, f::rst | f::ack, 0, kC + 1)};
    const auto l = core::build_ladder(segs);
    CHECK(l.notes.end == core::LadderEnd::reset);
    CHECK(l.notes.outcome == core::Outcome::refused);
    CHECK(*l.notes.ack_ok);
    CHECK(core::state_name(*l.server_initial) == "CLOSED");
    CHECK(core::state_name(l.rows[1].client_state) == "CLOSED");
    CHECK_FALSE(l.rows[1].rel_seq.has_value());  // no server ISN to be relative to
    CHECK(*l.rows[1].rel_ack == 1);
  }
  SUBCASE("ICMP admin prohibited") {
    Segment icmp = in(40, 0, kC, 0);
    icmp.icmp = core::LadderIcmp{3, 13, core::IpAddress::v4(10, 77, 2, 2)};
    const std::vector<Segment> segs{syn_with_options(0), icmp};
    const auto l = core::build_ladder(segs);
    CHECK(l.notes.end == core::LadderEnd::icmp);
    CHECK(l.notes.outcome == core::Outcome::filtered);
    CHECK_FALSE(l.server_initial.has_value());
    CHECK(core::state_name(l.rows[1].client_state) == "CLOSED");
  }
  SUBCASE("an ICMP error followed by a resent SYN did not close the client") {
    Segment icmp = in(40, 0, kC, 0);
    icmp.icmp = core::LadderIcmp{1, 1, core::IpAddress::v4(10, 77, 3, 2)};
    Segment again = icmp;
    again.stamp_ns += 1'000'000'000;
    const std::vector<Segment> segs{syn_with_options(0), icmp, syn_with_options(1'000'000), again};
    const auto l = core::build_ladder(segs);
    CHECK(core::state_name(l.rows[1].client_state) == "SYN_SENT");
    CHECK_FALSE(l.rows[1].client_changed);
    CHECK(core::state_name(l.rows[3].client_state) == "CLOSED");
    CHECK(l.rows[2].retransmission);
  }
  SUBCASE("nothing") {
    const std::vector<Segment> segs{syn_with_options(0), syn_with_options(1'000'000), syn_with_options(3'000'000)};
    const auto l = core::build_ladder(segs);
    CHECK(l.notes.end == core::LadderEnd::no_reply);
    CHECK(l.notes.outcome == core::Outcome::timeout);
    CHECK(l.notes.syn_gaps_ns == std::vector<std::int64_t>{1'000'000'000, 2'000'000'000});
    CHECK_FALSE(l.rows[2].server_state.has_value());
  }
}

TEST_CASE("ladder: retransmitted and out-of-order data") {
  std::vector<Segment> segs = client_close();
  segs.resize(3);
  segs.push_back(out(120, f::psh | f::ack, kC + 7, kS + 1, 6));  // ahead of a gap
  segs.push_back(out(130, f::psh | f::ack, kC + 1, kS + 1, 6));  // fills it: below the highest
  segs.push_back(out(140, f::psh | f::ack, kC + 7, kS + 1, 6));  // again
  const auto l = core::build_ladder(segs);
  CHECK_FALSE(l.rows[3].out_of_order);  // the one that jumps the hole is not marked
  CHECK_FALSE(l.rows[3].retransmission);
  CHECK(l.rows[4].out_of_order);  // the one that fills it is
  CHECK_FALSE(l.rows[4].retransmission);
  CHECK(l.rows[5].retransmission);  // every byte of it was sent before
  CHECK_FALSE(l.rows[5].out_of_order);
}

TEST_CASE("ladder: segments before the first SYN are dropped; flag words") {
  const std::vector<Segment> segs{in(0, f::ack, 5, 6), syn_with_options(10)};
  const auto l = core::build_ladder(segs);
  REQUIRE(l.rows.size() == 1);
  CHECK(l.rows[0].t_ns == 0);
  CHECK(core::build_ladder(std::vector<Segment>{}).rows.empty());
  CHECK(core::flag_words(f::syn | f::ack) == "SYN-ACK");
  CHECK(core::flag_words(f::psh | f::ack) == "PSH-ACK");
  CHECK(core::flag_words(f::fin | f::ack) == "FIN-ACK");
  CHECK(core::flag_words(f::rst) == "RST");
  CHECK(core::flag_words(f::syn | f::ece | f::cwr) == "SYN-ECE-CWR");
}
