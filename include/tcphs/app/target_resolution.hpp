#pragma once
/// From typed targets to addresses: syntax (core), then services and names
/// (io resolver), honouring -4/-6 and --all.

#include <string>
#include <vector>

#include "tcphs/app/reporter.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::app {

struct FamilyChoice {
  bool ipv4_only = false;
  bool ipv6_only = false;
  bool all_addresses = false;  ///< every address of a name, not only the first
};

/// Every target must parse and resolve: the first failure is returned (usage
/// for syntax and unknown services, resolve for names).
core::Result<std::vector<TargetInfo>> resolve_targets(const std::vector<std::string>& texts, FamilyChoice choice);

}  // namespace tcphs::app
