#pragma once
/// The order in which a scan visits its (host, port) slots: a keyed
/// permutation of 0..n-1 computed on demand, so a scan of 65,535 ports keeps
/// no shuffled list. Visiting ports out of order spreads the load over the
/// hosts and avoids a sequential sweep that rate limiters and IDSes key on
/// (nmap shuffles for the same reason; masscan uses a Feistel network).

#include <cstdint>

namespace tcphs::core {

class ScanOrder {
 public:
  /// A permutation of 0..n-1 chosen by `seed`; n may be 0.
  ScanOrder(std::uint64_t n, std::uint64_t seed);

  /// The slot visited at position `i` (i < n). Every slot appears exactly
  /// once over the positions 0..n-1.
  std::uint64_t at(std::uint64_t i) const;
  std::uint64_t size() const { return n_; }

 private:
  /// A bijection of [0, 2^bits): xor-shifts and an odd multiplier are each
  /// invertible modulo 2^bits, so their composition is too.
  std::uint64_t mix(std::uint64_t x) const;

  std::uint64_t n_;
  unsigned bits_ = 0;
  std::uint64_t mask_ = 0;
  std::uint64_t mul_ = 1;
  std::uint64_t add_ = 0;
};

}  // namespace tcphs::core
