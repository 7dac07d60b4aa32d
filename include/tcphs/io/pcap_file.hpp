#pragma once
/// Reading a pcap / pcapng file (libpcap's offline mode): the fixtures of
/// the handshake ladder, and any capture a person saved with tcpdump.

#include <cstdint>
#include <string>
#include <vector>

#include "tcphs/core/result.hpp"
#include "tcphs/core/time.hpp"

namespace tcphs::io {

/// One frame of a file, cut to its IP header (as CapturedFrame), owning its bytes.
struct StoredFrame {
  std::vector<std::uint8_t> ip;
  core::Stamp stamp;  ///< the file's stamp, read at nanosecond precision
};

/// Every frame of `path` whose link type we know and that carries IPv4 or
/// IPv6, in file order. Errors (io): the file cannot be opened or read, or
/// its link type is not one link_header_length() knows.
core::Result<std::vector<StoredFrame>> read_pcap_file(const std::string& path);

}  // namespace tcphs::io
