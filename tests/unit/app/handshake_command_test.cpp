#include "tcphs/app/handshake_command.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <sstream>

#include "tcphs/io/pcap_file.hpp"

using namespace tcphs;

namespace {

app::HandshakeReport fixture_report(const std::string& name) {
  const auto frames = io::read_pcap_file(std::string(TCPHS_TEST_DATA) + "/handshake/" + name + ".pcap");
  REQUIRE(frames.ok());
  std::vector<app::StampedBytes> bytes;
  for (const auto& f : *frames) bytes.push_back({f.ip, f.stamp.ns});
  std::optional<core::FlowKey> client;
  app::HandshakeReport r;
  r.ladder = core::build_ladder(app::segments_of(bytes, client));
  REQUIRE(client);
  r.run.flow = *client;
  r.run.captured = true;
  r.target = {"10.77.3.2:7001", client->remote, client->remote_port};
  r.outcome = app::handshake_outcome(r.ladder, 0);
  return r;
}

std::vector<nlohmann::json> json_lines(const app::HandshakeReport& r) {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  app::print_handshake_json(f, r);
  std::rewind(f);
  std::vector<nlohmann::json> out;
  char line[8192];
  while (std::fgets(line, sizeof line, f)) out.push_back(nlohmann::json::parse(line));
  std::fclose(f);
  return out;
}

}  // namespace

TEST_CASE("handshake: --send escapes and the --http request") {
  CHECK(app::unescape_payload("hello\\n") == "hello\n");
  CHECK(app::unescape_payload("a\\r\\n\\tb\\\\c") == "a\r\n\tb\\c");
  CHECK(app::unescape_payload("odd\\x and \\") == "odd\\x and \\");
  CHECK(app::http_head_request("example.net") ==
        "HEAD / HTTP/1.1\r\nHost: example.net\r\nUser-Agent: tcphs\r\nConnection: close\r\n\r\n");
}

TEST_CASE("handshake: the outcome comes from the ladder, else from connect()'s errno") {
  core::Ladder empty;
  CHECK(app::handshake_outcome(empty, 0) == core::Outcome::open);
  CHECK(app::handshake_outcome(empty, ECONNREFUSED) == core::Outcome::refused);
  CHECK(app::handshake_outcome(empty, ETIMEDOUT) == core::Outcome::timeout);
  const auto refused = fixture_report("refused");
  CHECK(app::handshake_outcome(refused.ladder, ECONNREFUSED) == core::Outcome::refused);
  SUBCASE("a signal before connect() had its answer: no outcome, unless the capture saw one") {
    CHECK_FALSE(app::handshake_outcome(empty, EINPROGRESS).has_value());
    CHECK(app::handshake_outcome(refused.ladder, EINPROGRESS) == core::Outcome::refused);
  }
}

TEST_CASE("handshake interrupted: the stderr note, and the JSON summary's interrupted record") {
  auto r = fixture_report("open_send");
  CHECK(json_lines(r).back()["interrupted"].is_null());
  r.run.signal = SIGINT;
  r.run.phase = io::HandshakePhase::hold;
  CHECK(app::interrupted_note(r, false) ==
        "tcphs: interrupted by SIGINT during --hold: the 8 segments captured so far are shown");
  CHECK(app::interrupted_note(r, true) ==
        "tcphs: interrupted by SIGINT during --hold: the 8 segments captured so far are shown; no --svg file "
        "written");
  const auto lines = json_lines(r);
  REQUIRE(lines.size() == 9);
  CHECK(lines.back()["interrupted"] == nlohmann::json::parse(R"({"signal": "SIGINT", "during": "hold"})"));
  CHECK(lines.back()["outcome"] == "open");

  r.run.signal = SIGTERM;
  r.run.phase = io::HandshakePhase::connect;
  r.ladder.rows.resize(1);
  r.outcome = std::nullopt;
  CHECK(app::interrupted_note(r, false) ==
        "tcphs: interrupted by SIGTERM while waiting for an answer to the SYN: the one segment captured so far is "
        "shown");
  CHECK(json_lines(r).back()["outcome"].is_null());
  CHECK(json_lines(r).back()["interrupted"]["during"] == "connect");
  r.run.captured = false;
  r.run.phase = io::HandshakePhase::send;
  CHECK(app::interrupted_note(r, false) ==
        "tcphs: interrupted by SIGTERM while sending the data: the kernel facts so far are shown");
  CHECK(app::phase_name(io::HandshakePhase::close) == "close");
}

TEST_CASE("handshake JSON: segment records per SPEC §4, then a summary") {
  const auto lines = json_lines(fixture_report("open_send"));
  REQUIRE(lines.size() == 9);
  for (std::size_t i = 0; i < 8; ++i) {
    const auto& j = lines[i];
    CHECK(j["type"] == "segment");
    CHECK(j["schema"] == 1);
    for (const char* key : {"dir", "t_us", "flags", "seq", "ack", "rel_seq", "rel_ack", "len", "window", "options",
                            "client_state", "server_state", "inferred"})
      CHECK_MESSAGE(j.contains(key), key);
  }
  CHECK(lines[0]["dir"] == "out");
  CHECK(lines[0]["flags"] == "S");
  CHECK(lines[0]["seq"] == 3276342751u);
  CHECK(lines[0]["ack"].is_null());
  CHECK(lines[0]["t_us"] == 0.0);
  CHECK(lines[1]["flags"] == "SA");
  CHECK(lines[1]["rel_ack"] == 1);
  CHECK(lines[1]["options"]["mss"] == 1460);
  CHECK(lines[7]["client_state"] == "TIME_WAIT");
  CHECK(lines[7]["server_state"] == "CLOSED");
  CHECK(lines[8]["type"] == "summary");
  CHECK(lines[8]["outcome"] == "open");
  CHECK(lines[8]["ack_ok"] == true);
  CHECK(lines[8]["after_close"].is_null());
}

TEST_CASE("handshake SVG: well-formed, one arrow per segment, the states as text") {
  const auto r = fixture_report("synlost");
  app::LadderContext context{"10.77.1.2:37302", "10.77.3.2:7007", {"kernel (sock_diag): TIME_WAIT"}, false};
  const auto svg = app::ladder_svg(r.ladder, context);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(svg.c_str()));
  const auto root = doc.child("svg");
  REQUIRE(root);
  int arrows = 0;
  std::string texts;
  for (auto l : root.children("line")) arrows += l.attribute("marker-end") ? 1 : 0;
  for (auto t : root.children("text")) texts += std::string(t.text().get()) + "\n";
  CHECK(arrows == static_cast<int>(r.ladder.rows.size()));
  CHECK(texts.find("SYN (retransmission)") != std::string::npos);
  CHECK(texts.find("TIME_WAIT") != std::string::npos);
  CHECK(texts.find("retransmitted after 1.015 s") != std::string::npos);
}
