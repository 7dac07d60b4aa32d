#pragma once
/// The IPv4 identification of a server's SYN-ACKs. A counter shared by all
/// its traffic leaks how busy it is and enables idle scans; RFC 6864 §4.1
/// lets atomic datagrams (DF set, not fragmented) carry any value, and Linux
/// sends 0 in a DF SYN-ACK and a random value otherwise.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "tcphs/core/isn_sample.hpp"

namespace tcphs::core {

enum class IpIdBehaviour : std::uint8_t {
  not_applicable,  ///< IPv6, or fewer than 2 IPv4 samples
  zero,            ///< every ID 0
  constant,        ///< one non-zero value throughout
  incremental,     ///< every step forward (mod 2^16) is at most 1000
  random,          ///< anything else; nmap calls steps over 20000 random
};

std::string_view ip_id_word(IpIdBehaviour b);  ///< "n/a", "zero", "constant", "incremental", "random"

struct IpIdAnalysis {
  IpIdBehaviour behaviour = IpIdBehaviour::not_applicable;
  std::size_t samples = 0;
  std::optional<std::uint16_t> max_step;  ///< largest forward step (mod 2^16) between consecutive samples
  std::optional<double> mean_step;
};

/// Classifies the IDs of `samples`, in receive order. The 1000 bound follows
/// nmap's reading of "random positive increments": a counter that other
/// traffic advances by more per interval is indistinguishable from noise here.
IpIdAnalysis analyse_ip_id(std::span<const IsnSample> samples);

}  // namespace tcphs::core
