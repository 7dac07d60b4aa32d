#include "tcphs/core/cookie.hpp"

#include <sodium.h>

#include <algorithm>

namespace tcphs::core {
namespace {

static_assert(crypto_shorthash_BYTES == 8 && crypto_shorthash_KEYBYTES == CookieKey::size,
              "crypto_shorthash is expected to be SipHash-2-4: 64-bit output, 128-bit key");

/// Appends big-endian fields to a fixed buffer: a scan hashes one flow per
/// packet, so the serialisation does not allocate.
class Writer {
 public:
  Writer() = default;
  Writer(const Writer&) = delete;  // pos_ points into buf_
  Writer& operator=(const Writer&) = delete;
  void bytes(std::span<const std::uint8_t> b) { pos_ = std::copy(b.begin(), b.end(), pos_); }
  void be(std::uint32_t value, int width) {
    for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) *pos_++ = static_cast<std::uint8_t>(value >> shift);
  }
  std::span<const std::uint8_t> written() const {
    return {buf_.data(), static_cast<std::size_t>(pos_ - buf_.data())};
  }

 private:
  std::array<std::uint8_t, 1 + 16 + 16 + 2 + 2 + 4> buf_{};
  std::uint8_t* pos_ = buf_.data();
};

}  // namespace

std::uint64_t siphash24(const CookieKey& key, std::span<const std::uint8_t> message) {
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, message.data(), message.size(), key.bytes().data());
  std::uint64_t value = 0;
  for (int i = crypto_shorthash_BYTES - 1; i >= 0; --i) value = (value << 8) | out[i];
  return value;
}

std::uint32_t syn_cookie(const CookieKey& key, const FlowKey& flow, std::uint32_t attempt) {
  Writer w;
  w.be(flow.local.family == Family::ipv4 ? 4 : 6, 1);
  w.bytes(flow.local.span());
  w.bytes(flow.remote.span());
  w.be(flow.local_port, 2);
  w.be(flow.remote_port, 2);
  w.be(attempt, 4);
  return static_cast<std::uint32_t>(siphash24(key, w.written()));
}

}  // namespace tcphs::core
