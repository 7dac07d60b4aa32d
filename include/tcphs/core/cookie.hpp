#pragma once
/// Stateless matching of replies to our SYNs (masscan's syn_cookie): the
/// initial sequence number is a keyed hash of the flow, so a reply proves it
/// answers our SYN by acknowledging that number plus one, and nobody without
/// the per-run key can forge one (RFC 6528 §3 gives the same construction).

#include <array>
#include <cstdint>
#include <span>

#include "tcphs/core/ip_address.hpp"

namespace tcphs::core {

/// The 16-byte SipHash key. Core never draws randomness: the io layer fills
/// it from getrandom() once per run, tests pass fixed bytes.
class CookieKey {
 public:
  static constexpr std::size_t size = 16;
  explicit CookieKey(const std::array<std::uint8_t, size>& bytes) : bytes_(bytes) {}
  const std::array<std::uint8_t, size>& bytes() const { return bytes_; }

 private:
  std::array<std::uint8_t, size> bytes_;
};

/// SipHash-2-4 (Aumasson & Bernstein, 2012) of `message`, through libsodium's
/// crypto_shorthash, returned as the little-endian 64-bit value the paper
/// defines. crypto_shorthash is plain arithmetic: it needs no sodium_init().
std::uint64_t siphash24(const CookieKey& key, std::span<const std::uint8_t> message);

/// The ISN for the given flow and attempt (1 = first SYN): the low 32 bits of
/// siphash24 over the canonical serialisation
///   family (4 or 6, one byte) | local address | remote address
///   | local port | remote port | attempt          (all big-endian),
/// with addresses 4 or 16 bytes by family. Each retransmission gets its own
/// ISN, so a reply tells which attempt it answers.
std::uint32_t syn_cookie(const CookieKey& key, const FlowKey& flow, std::uint32_t attempt);

/// Whether `ack` acknowledges a SYN sent with sequence number `isn`: a SYN
/// occupies one sequence number, so ack = ISN + 1 modulo 2^32 (RFC 9293 §3.4).
constexpr bool ack_matches(std::uint32_t isn, std::uint32_t ack) {
  return ack == static_cast<std::uint32_t>(isn + 1u);
}

}  // namespace tcphs::core
