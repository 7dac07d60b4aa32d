#include "tcphs/app/handshake_ladder.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tcphs/io/pcap_file.hpp"

using namespace tcphs;

namespace {

/// The ladder of a pcap fixture (tests/data/handshake, from capture.sh).
core::Ladder fixture(const std::string& name, app::LadderContext& context) {
  const auto frames = io::read_pcap_file(std::string(TCPHS_TEST_DATA) + "/handshake/" + name + ".pcap");
  REQUIRE(frames.ok());
  std::vector<app::StampedBytes> bytes;
  for (const auto& f : *frames) bytes.push_back({f.ip, f.stamp.ns});
  std::optional<core::FlowKey> client;
  const auto segs = app::segments_of(bytes, client);
  REQUIRE(client.has_value());
  context.client = app::endpoint_text(client->local, client->local_port);
  context.server = app::endpoint_text(client->remote, client->remote_port);
  return core::build_ladder(segs);
}

std::string golden_path(const std::string& name) { return std::string(TCPHS_TEST_DATA) + "/golden/" + name; }

/// Compares with the golden file; TCPHS_UPDATE_GOLDEN=1 rewrites it instead
/// (then read the diff before committing it).
void check_golden(const std::string& text, const std::string& name) {
  if (std::getenv("TCPHS_UPDATE_GOLDEN")) std::ofstream(golden_path(name)) << text;
  std::ifstream in(golden_path(name));
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(text == ss.str());
}

int max_columns(const std::string& text) {
  int widest = 0, n = 0;
  for (const unsigned char c : text) {
    if (c == '\n') {
      widest = std::max(widest, n);
      n = 0;
    } else if ((c & 0xC0) != 0x80) {
      ++n;
    }
  }
  return widest;
}

}  // namespace

TEST_CASE("handshake ladder golden files: UTF-8 and ASCII, 80 columns") {
  for (const std::string name : {"open_send", "refused", "synlost", "server_close"}) {
    CAPTURE(name);
    app::LadderContext context;
    const auto ladder = fixture(name, context);
    const auto utf8 = app::render_ladder(ladder, context, {true, false, false});
    const auto ascii = app::render_ladder(ladder, context, {false, false, false});
    check_golden(utf8, "handshake_" + name + ".utf8.txt");
    check_golden(ascii, "handshake_" + name + ".ascii.txt");
    CHECK(max_columns(utf8) <= 80);
    CHECK(max_columns(ascii) <= 80);
    for (const unsigned char c : ascii) CHECK(c < 0x80);
  }
}

TEST_CASE("handshake fixtures: what the seed's ladders say") {
  app::LadderContext context;
  SUBCASE("open port, data, client close: relative 0/1, +1 for SYN and FIN, TIME_WAIT") {
    const auto l = fixture("open_send", context);
    REQUIRE(l.rows.size() == 8);
    CHECK(*l.rows[0].rel_seq == 0);
    CHECK(*l.rows[1].rel_ack == 1);
    CHECK(*l.rows[3].rel_seq == 1);
    CHECK(l.rows[3].seg.len == 6);
    CHECK(*l.rows[6].rel_ack == 8);
    CHECK(core::state_name(l.rows.back().client_state) == "TIME_WAIT");
    CHECK(core::state_name(*l.rows.back().server_state) == "CLOSED");
    CHECK(*l.notes.ack_ok);
    CHECK(l.notes.outcome == core::Outcome::open);
  }
  SUBCASE("SYN lost: the retransmission about 1 s later") {
    const auto l = fixture("synlost", context);
    CHECK(l.rows[1].retransmission);
    REQUIRE(l.notes.syn_gaps_ns.size() == 1);
    CHECK(l.notes.syn_gaps_ns[0] > 900'000'000);
    CHECK(l.notes.syn_gaps_ns[0] < 1'500'000'000);
  }
  SUBCASE("refused") {
    const auto l = fixture("refused", context);
    CHECK(l.notes.end == core::LadderEnd::reset);
    CHECK(core::outcome_info(l.notes.outcome).exit_code == 1);
  }
  SUBCASE("server close: the client passes CLOSE_WAIT and LAST_ACK") {
    const auto l = fixture("server_close", context);
    bool close_wait = false;
    for (const auto& r : l.rows) close_wait |= r.client_state == core::TcpState::close_wait;
    CHECK(close_wait);
    CHECK(core::state_name(l.rows.back().client_state) == "CLOSED");
    CHECK(core::state_name(*l.rows.back().server_state) == "TIME_WAIT");
  }
}

TEST_CASE("handshake ladder: colour per direction only when asked; --wide is wider") {
  app::LadderContext context;
  const auto l = fixture("open_send", context);
  const auto plain = app::render_ladder(l, context, {true, false, false});
  const auto coloured = app::render_ladder(l, context, {true, true, false});
  CHECK(plain.find('\x1b') == std::string::npos);
  CHECK(coloured.find("\x1b[36m") != std::string::npos);
  CHECK(coloured.find("\x1b[33m") != std::string::npos);
  const auto wide = app::render_ladder(l, context, {true, false, true});
  CHECK(max_columns(wide) > 80);
  CHECK(wide.find("seq 1 (3276342752) ack 1 (1463065796) len 6") != std::string::npos);
}

TEST_CASE("handshake: locale and pcap errors") {
  CHECK(app::utf8_locale_from(nullptr, nullptr, "en_US.UTF-8"));
  CHECK(app::utf8_locale_from("", "C.utf8", "C"));
  CHECK_FALSE(app::utf8_locale_from("C", nullptr, "en_US.UTF-8"));  // LC_ALL wins
  CHECK_FALSE(app::utf8_locale_from(nullptr, nullptr, nullptr));
  CHECK_FALSE(io::read_pcap_file("/nonexistent/x.pcap").ok());
  CHECK(app::compact_options({}) == "");
}

TEST_CASE("handshake annotations: doubling and fixed SYN retransmission timeouts are told apart") {
  auto syns = [](std::initializer_list<std::int64_t> at_ms) {
    std::vector<core::Segment> segs;
    for (const auto ms : at_ms) {
      core::Segment s;
      s.flags = core::tcp_flag::syn;
      s.seq = 77;
      s.stamp_ns = ms * 1'000'000;
      segs.push_back(s);
    }
    std::string all;
    for (const auto& l : app::ladder_annotations(core::build_ladder(segs), false, false)) all += l + "\n";
    return all;
  };
  const auto doubling = syns({0, 1000, 3000, 7000});
  CHECK(doubling.find("SYN sent 4 times: retransmitted after 1.000 s, 2.000 s, 4.000 s") != std::string::npos);
  CHECK(doubling.find("doubles each time") != std::string::npos);
  CHECK(doubling.find("no answer to 4 SYNs: timeout") != std::string::npos);
  const auto linear = syns({0, 1000, 2000, 3000});
  CHECK(linear.find("fixed timeout") != std::string::npos);
  CHECK(linear.find("doubles") == std::string::npos);
  const auto irregular = syns({0, 1000, 4000});
  CHECK(irregular.find("doubles") == std::string::npos);
  CHECK(irregular.find("fixed") == std::string::npos);
}

TEST_CASE("handshake annotations: SYNs left unanswered by an interrupted run are no timeout") {
  std::vector<core::Segment> segs(2);
  for (std::size_t i = 0; i < segs.size(); ++i) {
    segs[i].flags = core::tcp_flag::syn;
    segs[i].seq = 77;
    segs[i].stamp_ns = static_cast<std::int64_t>(i) * 1'000'000'000;
  }
  const auto ladder = core::build_ladder(segs);
  const auto cut = app::ladder_annotations(ladder, false, true);
  CHECK(cut.back() == "no answer to 2 SYNs when the run was interrupted");
  for (const auto& l : cut) CHECK(l.find("timeout (") == std::string::npos);
  CHECK(app::ladder_annotations(ladder, false, false).back().rfind("no answer to 2 SYNs: timeout", 0) == 0);
  app::LadderContext context{"10.77.1.2:40000", "10.77.3.2:7003", {}, true};
  const auto text = app::render_ladder(ladder, context, {false, false, false});
  CHECK(text.find("no answer to 2 SYNs when the run was interrupted\n") != std::string::npos);
}
