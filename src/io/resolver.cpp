#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "tcphs/io/sockaddr.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::io {

core::Result<std::vector<core::IpAddress>> resolve_host(const std::string& host, bool want_v4, bool want_v6) {
  if (!want_v4 && !want_v6) want_v4 = want_v6 = true;
  if (const auto numeric = core::IpAddress::parse(host)) {
    const bool wanted = numeric->family == core::Family::ipv4 ? want_v4 : want_v6;
    if (!wanted)
      return core::usage_error(fmt::format("'{}' is an {} address, but only {} was asked for", host,
                                           want_v4 ? "IPv6" : "IPv4", want_v4 ? "IPv4" : "IPv6"));
    return std::vector{*numeric};
  }

  addrinfo hints{};
  hints.ai_family = want_v4 && want_v6 ? AF_UNSPEC : (want_v4 ? AF_INET : AF_INET6);
  hints.ai_socktype = SOCK_STREAM;  // one entry per address instead of one per socket type
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    const char* reason = rc == EAI_SYSTEM ? std::strerror(errno) : gai_strerror(rc);
    return core::Error{core::ErrorKind::resolve, fmt::format("could not resolve '{}': {}", host, reason)};
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(list, &freeaddrinfo);
  std::vector<core::IpAddress> out;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    const auto addr = from_sockaddr(ai->ai_addr);
    if (addr && std::find(out.begin(), out.end(), addr->first) == out.end()) out.push_back(addr->first);
  }
  if (out.empty())
    return core::Error{core::ErrorKind::resolve, fmt::format("could not resolve '{}': no address", host)};
  return out;
}

core::Result<std::uint16_t> resolve_service(const std::string& name) {
  if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), port);
    if (ec != std::errc{} || end != name.data() + name.size() || port == 0 || port > 65535)
      return core::usage_error(fmt::format("port {} is out of range (1-65535)", name));
    return static_cast<std::uint16_t>(port);
  }
  servent entry{};
  servent* found = nullptr;
  char buf[4096];
  if (getservbyname_r(name.c_str(), "tcp", &entry, buf, sizeof buf, &found) != 0 || found == nullptr)
    return core::usage_error(fmt::format("unknown service '{}'", name));
  return static_cast<std::uint16_t>(ntohs(static_cast<std::uint16_t>(found->s_port)));
}

std::vector<std::pair<std::uint16_t, std::string>> tcp_service_names() {
  std::vector<std::pair<std::uint16_t, std::string>> out;
  servent entry{};
  servent* found = nullptr;
  char buf[4096];
  setservent(0);
  while (getservent_r(&entry, buf, sizeof buf, &found) == 0 && found != nullptr)
    if (found->s_proto && std::strcmp(found->s_proto, "tcp") == 0)
      out.emplace_back(static_cast<std::uint16_t>(ntohs(static_cast<std::uint16_t>(found->s_port))), found->s_name);
  endservent();
  // Stable: of several names for a port, the database's first one stays.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  out.erase(std::unique(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
            out.end());
  return out;
}

}  // namespace tcphs::io
