#include "tcphs/core/isn_ip_id.hpp"

#include <algorithm>
#include <vector>

namespace tcphs::core {
namespace {

constexpr std::uint16_t max_increment = 1000;

}  // namespace

std::string_view ip_id_word(IpIdBehaviour b) {
  switch (b) {
    case IpIdBehaviour::not_applicable: return "n/a";
    case IpIdBehaviour::zero: return "zero";
    case IpIdBehaviour::constant: return "constant";
    case IpIdBehaviour::incremental: return "incremental";
    case IpIdBehaviour::random: return "random";
  }
  return "n/a";
}

IpIdAnalysis analyse_ip_id(std::span<const IsnSample> samples) {
  IpIdAnalysis a;
  std::vector<std::uint16_t> ids;
  for (const auto& s : samples)
    if (s.ip_id) ids.push_back(*s.ip_id);
  a.samples = ids.size();
  if (ids.size() < 2) return a;

  std::uint16_t max_step = 0;
  double sum = 0;
  for (std::size_t i = 1; i < ids.size(); ++i) {
    const auto step = static_cast<std::uint16_t>(ids[i] - ids[i - 1]);
    max_step = std::max(max_step, step);
    sum += step;
  }
  a.max_step = max_step;
  a.mean_step = sum / static_cast<double>(ids.size() - 1);

  const bool all_same = std::all_of(ids.begin(), ids.end(), [&](std::uint16_t id) { return id == ids.front(); });
  if (all_same) a.behaviour = ids.front() == 0 ? IpIdBehaviour::zero : IpIdBehaviour::constant;
  else if (max_step <= max_increment) a.behaviour = IpIdBehaviour::incremental;
  else a.behaviour = IpIdBehaviour::random;
  return a;
}

}  // namespace tcphs::core
