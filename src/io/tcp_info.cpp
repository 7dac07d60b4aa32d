#include "tcphs/io/tcp_info.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

namespace tcphs::io {

std::optional<tcp_info> tcp_info_of(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return std::nullopt;
  return info;
}

TcpInfoFacts facts_of(const tcp_info& i) {
  TcpInfoFacts f;
  f.rtt_us = i.tcpi_rtt;
  f.snd_mss = i.tcpi_snd_mss;
  f.rcv_mss = i.tcpi_rcv_mss;
  if (i.tcpi_options & TCPI_OPT_WSCALE) {
    f.snd_wscale = static_cast<std::uint8_t>(i.tcpi_snd_wscale);
    f.rcv_wscale = static_cast<std::uint8_t>(i.tcpi_rcv_wscale);
  }
  f.sack = (i.tcpi_options & TCPI_OPT_SACK) != 0;
  f.timestamps = (i.tcpi_options & TCPI_OPT_TIMESTAMPS) != 0;
  f.ecn = (i.tcpi_options & TCPI_OPT_ECN) != 0;
  f.total_retrans = i.tcpi_total_retrans;
  return f;
}

}  // namespace tcphs::io
