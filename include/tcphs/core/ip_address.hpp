#pragma once
/// IP addresses and flow keys as plain values.

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tcphs::core {

enum class Family : std::uint8_t { ipv4, ipv6 };

std::string_view family_name(Family f);  ///< "ipv4" / "ipv6" (SPEC §4)

/// An IPv4 or IPv6 address in network byte order. IPv4 uses the first four
/// bytes of `bytes`; the other twelve stay zero so comparison is exact.
struct IpAddress {
  Family family = Family::ipv4;
  std::array<std::uint8_t, 16> bytes{};

  static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
  /// From `len` (4 or 16) bytes in network order.
  static IpAddress from_bytes(Family family, std::span<const std::uint8_t> raw);
  /// Numeric text only ("10.0.0.1", "fd00::1"); names are the resolver's job.
  static std::optional<IpAddress> parse(std::string_view text);

  std::size_t size() const { return family == Family::ipv4 ? 4 : 16; }
  std::span<const std::uint8_t> span() const { return {bytes.data(), size()}; }
  bool is_loopback() const;  ///< 127.0.0.0/8 or ::1
  bool is_unspecified() const;
  std::string to_string() const;

  auto operator<=>(const IpAddress&) const = default;
};

/// One TCP flow seen from our side: we are `local`, the target is `remote`.
struct FlowKey {
  IpAddress local;
  IpAddress remote;
  std::uint16_t local_port = 0;
  std::uint16_t remote_port = 0;

  auto operator<=>(const FlowKey&) const = default;
};

}  // namespace tcphs::core
