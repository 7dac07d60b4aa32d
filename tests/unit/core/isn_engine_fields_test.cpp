#include <doctest/doctest.h>

#include "support/packets.hpp"
#include "tcphs/core/engine.hpp"

using namespace tcphs;
using core::IpAddress;

namespace {

const core::Instant t0{std::chrono::seconds(100)};

/// Sets the IPv4 identification of `packet` and recomputes its header checksum.
void set_ip_id(std::vector<std::uint8_t>& packet, std::uint16_t id) {
  packet[4] = static_cast<std::uint8_t>(id >> 8);
  packet[5] = static_cast<std::uint8_t>(id);
  packet[10] = packet[11] = 0;
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < 20; i += 2) sum += std::uint32_t{packet[i]} << 8 | packet[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  packet[10] = static_cast<std::uint8_t>(~sum >> 8);
  packet[11] = static_cast<std::uint8_t>(~sum);
}

std::uint32_t sent_seq(const core::Send& s, std::size_t ip_header) {
  const auto* p = s.packet.data() + ip_header + 4;
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

/// One probe from `local` to `remote` answered by a SYN-ACK stamped `rx_ns`.
core::ProbeResult answered(const IpAddress& local, const IpAddress& remote, std::int64_t rx_ns,
                           std::optional<std::uint16_t> ip_id) {
  core::Engine e({}, core::CookieKey(std::array<std::uint8_t, 16>{3, 1, 4, 1, 5, 9, 2, 6}));
  core::ProbeRequest r;
  r.syn.flow = core::FlowKey{local, remote, 61234, 443};
  r.due = t0;
  e.add(r);
  auto sends = e.take_sends(t0);
  REQUIRE(sends.size() == 1);
  const std::size_t header = local.family == core::Family::ipv4 ? 20 : 40;
  auto packet = test::tcp_packet(remote, local, 443, 61234, 0xC0FFEE, sent_seq(sends[0], header) + 1, 0x12);
  if (ip_id) set_ip_id(packet, *ip_id);
  e.on_packet(packet, core::Stamp{rx_ns, core::StampSource::capture});
  auto results = e.take_results();
  REQUIRE(results.size() == 1);
  return results[0];
}

}  // namespace

TEST_CASE("core::Engine::on_packet keeps the SYN-ACK's IP ID and receive stamp for isn") {
  SUBCASE("IPv4") {
    const auto r = answered(IpAddress::v4(10, 1, 0, 1), IpAddress::v4(10, 3, 0, 2), 1'700'000'000'123'456'789, 0xBEEF);
    REQUIRE(r.reply);
    CHECK(r.reply->ip_id == 0xBEEF);
    REQUIRE(r.rx);
    CHECK(r.rx->ns == 1'700'000'000'123'456'789);
    CHECK(r.rx->source == core::StampSource::capture);
  }
  SUBCASE("IPv6 has no IP ID") {
    const auto local = *IpAddress::parse("fd00:77:1::2");
    const auto remote = *IpAddress::parse("fd00:77:3::2");
    const auto r = answered(local, remote, 42'000, std::nullopt);
    REQUIRE(r.reply);
    CHECK_FALSE(r.reply->ip_id);
    CHECK(r.rx->ns == 42'000);
  }
}
