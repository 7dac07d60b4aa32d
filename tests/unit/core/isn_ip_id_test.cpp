#include "tcphs/core/isn_ip_id.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <random>
#include <vector>

using namespace tcphs::core;

namespace {

std::vector<IsnSample> with_ids(const std::vector<std::optional<std::uint16_t>>& ids) {
  std::vector<IsnSample> out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    IsnSample s;
    s.number = static_cast<std::uint32_t>(i + 1);
    s.ip_id = ids[i];
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("core::analyse_ip_id") {
  SUBCASE("zero, as Linux sends a DF SYN-ACK") {
    auto a = analyse_ip_id(with_ids({0, 0, 0, 0, 0}));
    CHECK(a.behaviour == IpIdBehaviour::zero);
    CHECK(a.samples == 5);
    CHECK(a.max_step == 0);
  }
  SUBCASE("incremental, across the 16-bit wrap") {
    auto a = analyse_ip_id(with_ids({65530, 65533, 1, 9, 300}));
    CHECK(a.behaviour == IpIdBehaviour::incremental);
    CHECK(a.max_step == 291);
    CHECK(*a.mean_step == doctest::Approx((3 + 4 + 8 + 291) / 4.0));
  }
  SUBCASE("random") {
    std::mt19937 rng(2);
    std::vector<std::optional<std::uint16_t>> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(static_cast<std::uint16_t>(rng()));
    CHECK(analyse_ip_id(with_ids(ids)).behaviour == IpIdBehaviour::random);
  }
  SUBCASE("one step beyond 1000 is no longer incremental") {
    CHECK(analyse_ip_id(with_ids({100, 200, 1201})).behaviour == IpIdBehaviour::random);
    CHECK(analyse_ip_id(with_ids({100, 200, 1200})).behaviour == IpIdBehaviour::incremental);
  }
  SUBCASE("constant, not zero") { CHECK(analyse_ip_id(with_ids({7, 7, 7})).behaviour == IpIdBehaviour::constant); }
  SUBCASE("IPv6 has no IP ID; one sample says nothing") {
    CHECK(analyse_ip_id(with_ids({std::nullopt, std::nullopt, std::nullopt})).behaviour ==
          IpIdBehaviour::not_applicable);
    CHECK(analyse_ip_id(with_ids({5})).behaviour == IpIdBehaviour::not_applicable);
  }
}

TEST_CASE("core::ip_id_word") {
  CHECK(ip_id_word(IpIdBehaviour::zero) == "zero");
  CHECK(ip_id_word(IpIdBehaviour::incremental) == "incremental");
  CHECK(ip_id_word(IpIdBehaviour::random) == "random");
  CHECK(ip_id_word(IpIdBehaviour::not_applicable) == "n/a");
}
