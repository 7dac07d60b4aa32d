#include "tcphs/core/scan_order.hpp"

namespace tcphs::core {
namespace {

/// splitmix64's finaliser (Steele, Lea & Flood 2014): turns the seed into
/// well-spread constants.
std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

ScanOrder::ScanOrder(std::uint64_t n, std::uint64_t seed) : n_(n) {
  while (bits_ < 64 && (std::uint64_t{1} << bits_) < n) ++bits_;
  mask_ = bits_ >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits_) - 1;
  std::uint64_t state = seed;
  mul_ = splitmix(state) | 1;  // odd: invertible modulo 2^bits
  add_ = splitmix(state);
}

std::uint64_t ScanOrder::mix(std::uint64_t x) const {
  const unsigned half = bits_ / 2 + 1;
  for (int round = 0; round < 2; ++round) {
    x = (x * mul_ + add_) & mask_;
    x ^= x >> half;
  }
  return x;
}

std::uint64_t ScanOrder::at(std::uint64_t i) const {
  // Cycle walking (Black & Rogaway 2002): apply the bijection of the
  // enclosing power of two until the value falls inside [0, n). The cycle
  // through i stays inside the permutation, so this ends, after fewer than
  // two steps on average since n > 2^bits / 2.
  std::uint64_t x = mix(i);
  while (x >= n_) x = mix(x);
  return x;
}

}  // namespace tcphs::core
