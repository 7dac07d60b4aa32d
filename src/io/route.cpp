#include "tcphs/io/route.hpp"

#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <variant>

#include <fmt/format.h>

#include "tcphs/io/sockaddr.hpp"
#include "tcphs/io/unique_fd.hpp"

namespace tcphs::io {
namespace {

using core::Family;
using core::IpAddress;

/// The parts of one RTM_NEWROUTE answer that a probe needs.
struct KernelRoute {
  unsigned char type = RTN_UNSPEC;
  std::uint32_t oif = 0;
  std::optional<IpAddress> prefsrc;
  std::optional<IpAddress> gateway;
  std::uint32_t mtu = 0;  ///< RTAX_MTU; 0 when the route has none
};

struct ParseState {
  Family family;
  KernelRoute* route;
};

std::optional<IpAddress> address_attr(const nlattr* attr, Family family) {
  const std::size_t want = family == Family::ipv4 ? 4 : 16;
  if (mnl_attr_get_payload_len(attr) != want) return std::nullopt;
  const auto* raw = static_cast<const std::uint8_t*>(mnl_attr_get_payload(attr));
  return IpAddress::from_bytes(family, {raw, want});
}

int metrics_cb(const nlattr* attr, void* data) {
  if (mnl_attr_get_type(attr) == RTAX_MTU && mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
    static_cast<KernelRoute*>(data)->mtu = mnl_attr_get_u32(attr);
  return MNL_CB_OK;
}

int route_attr_cb(const nlattr* attr, void* data) {
  auto* state = static_cast<ParseState*>(data);
  switch (mnl_attr_get_type(attr)) {
    case RTA_OIF:
      if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0) state->route->oif = mnl_attr_get_u32(attr);
      break;
    case RTA_PREFSRC:
      state->route->prefsrc = address_attr(attr, state->family);
      break;
    case RTA_GATEWAY:
      state->route->gateway = address_attr(attr, state->family);
      break;
    case RTA_METRICS:
      mnl_attr_parse_nested(attr, metrics_cb, state->route);
      break;
    default:
      break;
  }
  return MNL_CB_OK;
}

int route_msg_cb(const nlmsghdr* nlh, void* data) {
  if (nlh->nlmsg_type != RTM_NEWROUTE) return MNL_CB_OK;
  auto* state = static_cast<ParseState*>(data);
  state->route->type = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh))->rtm_type;
  return mnl_attr_parse(nlh, sizeof(rtmsg), route_attr_cb, data);
}

/// One RTM_GETROUTE request, as `ip route get DST [from SRC] [oif DEV]` sends
/// it: an output-route lookup through every table and policy rule. Returns
/// the errno when the kernel (or the socket) refuses.
std::variant<KernelRoute, int> ask_kernel(const IpAddress& dst, const std::optional<IpAddress>& source,
                                          unsigned ifindex) {
  std::unique_ptr<mnl_socket, decltype(&mnl_socket_close)> nl(mnl_socket_open(NETLINK_ROUTE),
                                                              &mnl_socket_close);
  if (!nl || mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) < 0) return errno;
  // The kernel answers at once; the timeout only guards against a lost reply.
  timeval limit{1, 0};
  setsockopt(mnl_socket_get_fd(nl.get()), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);

  alignas(nlmsghdr) std::array<char, 8192> buf{};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST;
  nlh->nlmsg_seq = 1;
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = dst.family == Family::ipv4 ? AF_INET : AF_INET6;
  rtm->rtm_dst_len = static_cast<unsigned char>(dst.size() * 8);
  rtm->rtm_flags = RTM_F_LOOKUP_TABLE;
  mnl_attr_put(nlh, RTA_DST, dst.size(), dst.bytes.data());
  if (source) {
    rtm->rtm_src_len = static_cast<unsigned char>(source->size() * 8);
    mnl_attr_put(nlh, RTA_SRC, source->size(), source->bytes.data());
  }
  if (ifindex != 0) mnl_attr_put_u32(nlh, RTA_OIF, ifindex);

  if (mnl_socket_sendto(nl.get(), nlh, nlh->nlmsg_len) < 0) return errno;
  const ssize_t n = mnl_socket_recvfrom(nl.get(), buf.data(), buf.size());
  if (n < 0) return errno;
  KernelRoute route;
  ParseState state{dst.family, &route};
  if (mnl_cb_run(buf.data(), static_cast<std::size_t>(n), 1, mnl_socket_get_portid(nl.get()), route_msg_cb,
                 &state) < 0)
    return errno;
  return route;
}

/// True when an interface carries `ip`, or when the kernel routes `ip` as
/// local (all of 127.0.0.0/8 is, though only 127.0.0.1 is on `lo`).
core::Result<bool> is_local_address(const IpAddress& ip) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0)
    return core::io_error(fmt::format("cannot list this host's addresses: {}", std::strerror(errno)));
  bool found = false;
  for (const ifaddrs* i = list; i != nullptr && !found; i = i->ifa_next) {
    const auto addr = from_sockaddr(i->ifa_addr);
    found = addr && addr->first == ip;
  }
  freeifaddrs(list);
  if (found) return true;
  const auto answer = ask_kernel(ip, std::nullopt, 0);
  const auto* route = std::get_if<KernelRoute>(&answer);
  return route != nullptr && route->type == RTN_LOCAL;
}

std::uint32_t device_mtu(const char* name) {
  UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));  // ifr is zeroed: stays terminated
  if (!fd.valid() || ioctl(fd.get(), SIOCGIFMTU, &ifr) < 0) return 0;
  return static_cast<std::uint32_t>(ifr.ifr_mtu);
}

std::string_view unusable_type_name(unsigned char type) {
  switch (type) {
    case RTN_BLACKHOLE:
      return "a blackhole route";
    case RTN_UNREACHABLE:
      return "an unreachable route";
    case RTN_PROHIBIT:
      return "a prohibit route";
    case RTN_BROADCAST:
      return "a broadcast address";
    case RTN_MULTICAST:
    case RTN_ANYCAST:
      return "not a unicast address";
    default:
      return "";
  }
}

}  // namespace

core::Result<Route> lookup_route(const IpAddress& dst, const std::optional<IpAddress>& source,
                                 const std::optional<std::string>& interface) {
  const std::string target = dst.to_string();
  unsigned ifindex = 0;
  if (interface) {
    ifindex = if_nametoindex(interface->c_str());
    if (ifindex == 0) return core::usage_error(fmt::format("unknown interface '{}'", *interface));
  }
  if (source) {
    if (source->family != dst.family)
      return core::usage_error(fmt::format("source address {} is {} but {} is {}", source->to_string(),
                                           core::family_name(source->family), target,
                                           core::family_name(dst.family)));
    TCPHS_TRY(local, is_local_address(*source));
    if (!local)
      return core::usage_error(
          fmt::format("source address {} is not an address of this host", source->to_string()));
  }

  auto answer = ask_kernel(dst, source, ifindex);
  if (const int* err = std::get_if<int>(&answer)) {
    if (*err == ENETUNREACH || *err == EHOSTUNREACH) return core::Error{core::ErrorKind::no_route, "no route to " + target};
    if (*err == EACCES) return core::Error{core::ErrorKind::no_route, fmt::format("no route to {} (a prohibit route)", target)};
    // The FIB reports a blackhole route as EINVAL; the other EINVAL causes
    // (a multicast or zero source) cannot pass the checks above.
    if (*err == EINVAL) return core::Error{core::ErrorKind::no_route, fmt::format("no route to {} (a blackhole route)", target)};
    return core::io_error(fmt::format("route lookup for {} failed: {}", target, std::strerror(*err)));
  }
  const KernelRoute& kr = std::get<KernelRoute>(answer);
  if (kr.type != RTN_UNICAST && kr.type != RTN_LOCAL) {
    const auto why = unusable_type_name(kr.type);
    if (why.empty()) return core::Error{core::ErrorKind::no_route, fmt::format("no route to {} (route type {})", target, kr.type)};
    return core::Error{core::ErrorKind::no_route, fmt::format("no route to {} ({})", target, why)};
  }

  char name[IF_NAMESIZE] = {};
  if (kr.oif == 0 || if_indextoname(kr.oif, name) == nullptr)
    return core::io_error(fmt::format("the route to {} names no usable interface", target));
  Route route;
  route.interface = name;
  route.ifindex = static_cast<int>(kr.oif);
  route.gateway = kr.gateway;
  route.mtu = kr.mtu != 0 ? kr.mtu : device_mtu(name);
  if (source) {
    route.source = *source;
  } else if (kr.prefsrc) {
    route.source = *kr.prefsrc;
  } else {
    return core::io_error(fmt::format("no source address to reach {} from (interface {})", target, name));
  }
  return route;
}

}  // namespace tcphs::io
