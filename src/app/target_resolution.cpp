#include "tcphs/app/target_resolution.hpp"

#include "tcphs/core/target.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {

core::Result<std::vector<TargetInfo>> resolve_targets(const std::vector<std::string>& texts, FamilyChoice choice) {
  std::vector<TargetInfo> out;
  for (const auto& text : texts) {
    TCPHS_TRY(spec, core::parse_target(text));
    std::uint16_t port = spec.port;
    if (port == 0) {
      TCPHS_TRY(service_port, io::resolve_service(spec.service));
      port = service_port;
    }
    std::vector<core::IpAddress> addresses;
    if (spec.literal) {
      const bool v6 = spec.literal->family == core::Family::ipv6;
      if ((v6 && choice.ipv4_only) || (!v6 && choice.ipv6_only))
        return core::usage_error("target '" + text + "' is an " + (v6 ? "IPv6" : "IPv4") +
                                 " address, but " + (v6 ? "-4" : "-6") + " was given");
      addresses.push_back(*spec.literal);
    } else {
      TCPHS_TRY(resolved, io::resolve_host(spec.host, !choice.ipv6_only, !choice.ipv4_only));
      addresses = std::move(resolved);
    }
    if (!choice.all_addresses && addresses.size() > 1) addresses.resize(1);
    for (const auto& a : addresses) out.push_back(TargetInfo{text, a, port});
  }
  return out;
}

}  // namespace tcphs::app
