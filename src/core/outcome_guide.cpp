#include "tcphs/core/outcome_guide.hpp"

#include <cerrno>

namespace tcphs::core {
namespace {

constexpr Family v4 = Family::ipv4;
constexpr Family v6 = Family::ipv6;

// --- open ---
constexpr std::string_view kOpenCauses[] = {
    "a program listens on this address and port, and its kernel took the SYN",
    "a load balancer, proxy or NAT device in front of the server completed the handshake itself "
    "(its TTL, window and options then differ from the server's own)",
    "a server under a SYN flood answering with SYN cookies: still open, but with fewer "
    "options in the SYN+ACK",
};
constexpr std::string_view kOpenNext[] = {
    "open only means a kernel finished the handshake: the application behind it may still hang, "
    "reject the request or close at once, so test the service itself as well",
    "the RTT is one network round trip plus the server kernel's answer time; run several probes "
    "(-c 10) to see its spread",
    "the reply's options show what the server will negotiate (MSS, window scale, SACK, "
    "timestamps); an MSS far below 1460 on IPv4 hints at a tunnel or MSS clamping on the path",
    "if the port should have been closed, find the listener on the server (ss -ltnp); "
    "--expect refused turns this into a failing exit code (5)",
};
constexpr int kOpenErrnos[] = {0};

// --- refused ---
constexpr IcmpCode kRefusedIcmp[] = {{v4, 3, 3}, {v6, 1, 4}};
constexpr std::string_view kRefusedCauses[] = {
    "nothing listens on the port, so the server's kernel answers the SYN with a reset",
    "the service listens, but on another address (only 127.0.0.1, or only one IP family) "
    "or on another port",
    "a firewall rule that rejects with a TCP reset or an ICMP port unreachable instead of "
    "dropping",
    "the service is restarting or has crashed",
};
constexpr std::string_view kRefusedNext[] = {
    "on the server, ss -ltn: is anything bound to this port, and on which address?",
    "compare the reply's TTL with the TTL of an open port on the same host: a different value "
    "means a device in between answered for it",
    "an ICMP reply names its sender: the target itself, or a firewall in front of it",
    "try the other family (-4 or -6) and the port the service documents",
};
constexpr int kRefusedErrnos[] = {ECONNREFUSED};

// --- timeout ---
constexpr std::string_view kTimeoutCauses[] = {
    "a firewall drops the SYN without a word: on the host, on the path, or a cloud "
    "security group",
    "the host is down or the address is not in use; on the last link the router's ARP or "
    "neighbour lookup fails, and many routers send nothing back",
    "the SYN+ACK is lost on the way back: asymmetric routing, or a stateful firewall that "
    "never saw the SYN",
    "the server's listen queue is full and its kernel drops new SYNs",
    "a slow or lossy path where every copy of the SYN (or of its answer) was lost",
};
constexpr std::string_view kTimeoutNext[] = {
    "tcphs trace HOST:PORT shows the last hop that still answers; with --control-port, "
    "whether another port on the same host gets through",
    "probe a port that should be closed on the same host: a refusal proves the host is up "
    "and only this port is filtered",
    "capture on the server (tcpdump -ni any tcp port PORT) to see whether the SYN arrives, "
    "and whether an answer leaves",
    "check the firewall rules and security groups between here and the target",
    "on a merely slow path, allow more time with --retries, --rto or --timeout",
};
constexpr int kTimeoutErrnos[] = {ETIMEDOUT};

// --- filtered ---
constexpr IcmpCode kFilteredIcmp[] = {{v4, 3, 9},  {v4, 3, 10}, {v4, 3, 13},
                                      {v6, 1, 1},  {v6, 1, 5},  {v6, 1, 6}};
constexpr std::string_view kFilteredCauses[] = {
    "a firewall that rejects instead of dropping, with an administratively-prohibited error "
    "(e.g. nftables 'reject with icmpx admin-prohibited')",
    "an access list on a router along the path",
    "IPv6: the source address fails an ingress or egress policy (1/5), or the route is a "
    "reject route (1/6)",
};
constexpr std::string_view kFilteredNext[] = {
    "the ICMP sender's address names the device that rejected the SYN: the target itself or "
    "a router or firewall before it",
    "read that device's rules for this source address, protocol and port",
    "tcphs trace HOST:PORT shows where on the path that device sits",
};
constexpr int kFilteredErrnos[] = {EPERM, EACCES};

// --- unreachable ---
constexpr IcmpCode kUnreachableIcmp[] = {
    {v4, 3, 0},  {v4, 3, 1},  {v4, 3, 2},  {v4, 3, 4},  {v4, 3, 5},  {v4, 3, 6},  {v4, 3, 7},
    {v4, 3, 8},  {v4, 3, 11}, {v4, 3, 12}, {v4, 3, 14}, {v4, 3, 15}, {v4, 11, 0}, {v4, 11, 1},
    {v6, 1, 0},  {v6, 1, 2},  {v6, 1, 3},  {v6, 1, 7},  {v6, 1, 8},  {v6, 3, 0},  {v6, 3, 1},
};
constexpr std::string_view kUnreachableCauses[] = {
    "a router has no route to the destination network",
    "the last router cannot reach the host on its link: the host is down or the address "
    "is unused, and no ARP or neighbour answer came",
    "the TTL ran out before the target: --ttl smaller than the number of hops, or a routing "
    "loop",
    "a firewall that rejects with host or network unreachable",
};
constexpr std::string_view kUnreachableNext[] = {
    "the ICMP sender's address says which router gave up; tcphs trace HOST:PORT shows the "
    "path up to it",
    "check that router's routes for the target, and that the address (and -4/-6) is the one "
    "you meant",
    "a time exceeded with the default TTL of 64 points at a routing loop between two routers",
};
constexpr int kUnreachableErrnos[] = {EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ENETDOWN, ENONET};

constexpr OutcomeGuide kGuide[] = {
    {Outcome::open,
     "a SYN+ACK from the target that acknowledges our SYN (its ack is our ISN+1); tcphs does "
     "not complete the handshake, its kernel answers the SYN+ACK with a reset",
     {}, kOpenCauses, kOpenNext,
     "TCP_INFO gives the RTT and the negotiated MSS, window scales, SACK and timestamps, but "
     "not the server's ISN, TTL, window or raw options",
     kOpenErrnos},
    {Outcome::refused,
     "a reset that acknowledges our SYN (ack = our ISN+1), or an ICMP port unreachable whose "
     "quote carries our SYN",
     kRefusedIcmp, kRefusedCauses, kRefusedNext,
     "for the reset and for the ICMP port unreachable alike: connect mode cannot tell the two "
     "apart",
     kRefusedErrnos},
    {Outcome::timeout,
     "nothing that matches our SYN, after the first SYN and every retransmission (by default "
     "3 SYNs, at 0, 1 and 3 s, and the verdict at 7 s)",
     {}, kTimeoutCauses, kTimeoutNext,
     "when the same time budget runs out; the kernel resends the SYN on its own schedule "
     "(1 s, doubling)",
     kTimeoutErrnos},
    {Outcome::filtered,
     "an ICMP administratively-prohibited error whose quote carries our SYN",
     kFilteredIcmp, kFilteredCauses, kFilteredNext,
     "EACCES is how IPv6 admin-prohibited arrives, EPERM a local firewall's refusal; Linux "
     "reports IPv4 admin-prohibited as EHOSTUNREACH, so connect mode calls it unreachable",
     kFilteredErrnos},
    {Outcome::unreachable,
     "an ICMP destination unreachable that is neither port unreachable nor prohibited, or an "
     "ICMP time exceeded, whose quote carries our SYN",
     kUnreachableIcmp, kUnreachableCauses, kUnreachableNext,
     "mostly EHOSTUNREACH or ENETUNREACH; IPv4 admin-prohibited lands here too, since Linux "
     "reports it as EHOSTUNREACH",
     kUnreachableErrnos},
};

}  // namespace

const OutcomeGuide& outcome_guide(Outcome o) { return kGuide[static_cast<int>(o)]; }

}  // namespace tcphs::core
