#include "tcphs/io/sock_diag.hpp"

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace tcphs::io {
namespace {

struct Search {
  const core::FlowKey* flow;
  std::optional<DiagSocket> found;
};

bool same_address(const core::IpAddress& a, const __be32* raw) {
  return std::memcmp(a.bytes.data(), raw, a.size()) == 0;
}

int on_message(const nlmsghdr* nlh, void* data) {
  auto* search = static_cast<Search*>(data);
  if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) return MNL_CB_OK;
  const auto* msg = static_cast<const inet_diag_msg*>(mnl_nlmsg_get_payload(nlh));
  const auto& f = *search->flow;
  if (ntohs(msg->id.idiag_sport) != f.local_port || ntohs(msg->id.idiag_dport) != f.remote_port) return MNL_CB_OK;
  if (!same_address(f.local, msg->id.idiag_src) || !same_address(f.remote, msg->id.idiag_dst)) return MNL_CB_OK;
  search->found = DiagSocket{linux_tcp_state(msg->idiag_state), msg->idiag_expires};
  return MNL_CB_OK;
}

}  // namespace

core::TcpState linux_tcp_state(int state) {
  switch (state) {
    case 1: return core::TcpState::established;
    case 2: return core::TcpState::syn_sent;
    case 3: return core::TcpState::syn_received;
    case 4: return core::TcpState::fin_wait_1;
    case 5: return core::TcpState::fin_wait_2;
    case 6: return core::TcpState::time_wait;
    case 8: return core::TcpState::close_wait;
    case 9: return core::TcpState::last_ack;
    case 10: return core::TcpState::listen;
    case 11: return core::TcpState::closing;
    case 12: return core::TcpState::syn_received;  // TCP_NEW_SYN_RECV
    default: return core::TcpState::closed;
  }
}

core::Result<std::optional<DiagSocket>> find_tcp_socket(const core::FlowKey& flow) {
  std::unique_ptr<mnl_socket, decltype(&mnl_socket_close)> nl(mnl_socket_open(NETLINK_SOCK_DIAG),
                                                              &mnl_socket_close);
  if (!nl || mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) < 0)
    return core::io_error(fmt::format("sock_diag: {}", std::strerror(errno)));
  const timeval limit{1, 0};
  setsockopt(mnl_socket_get_fd(nl.get()), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::array<char, 16384> buf{};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  const unsigned seq = 1;
  nlh->nlmsg_seq = seq;
  auto* req = static_cast<inet_diag_req_v2*>(mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req_v2)));
  req->sdiag_family = flow.local.family == core::Family::ipv4 ? AF_INET : AF_INET6;
  req->sdiag_protocol = IPPROTO_TCP;
  req->idiag_states = ~0u;
  req->id.idiag_sport = htons(flow.local_port);
  req->id.idiag_dport = htons(flow.remote_port);
  if (mnl_socket_sendto(nl.get(), nlh, nlh->nlmsg_len) < 0)
    return core::io_error(fmt::format("sock_diag: {}", std::strerror(errno)));
  Search search{&flow, std::nullopt};
  const unsigned portid = mnl_socket_get_portid(nl.get());
  for (;;) {
    const ssize_t n = mnl_socket_recvfrom(nl.get(), buf.data(), buf.size());
    if (n < 0) return core::io_error(fmt::format("sock_diag: {}", std::strerror(errno)));
    const int rc = mnl_cb_run(buf.data(), static_cast<std::size_t>(n), seq, portid, on_message, &search);
    if (rc == MNL_CB_STOP) break;
    if (rc < 0) return core::io_error(fmt::format("sock_diag: {}", std::strerror(errno)));
  }
  return search.found;
}

}  // namespace tcphs::io
