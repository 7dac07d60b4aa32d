#pragma once
/// The packet fixtures of tests/data and small byte-patching helpers for the
/// decoder tests. A fixture file has "#" comment lines and hex (whitespace
/// ignored): one packet, starting at the IP header.

#include <doctest/doctest.h>

#include <cctype>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tcphs/core/packet.hpp"

namespace tcphs::test {

using Bytes = std::vector<std::uint8_t>;

inline Bytes load_hex_fixture(const std::string& name) {
  const std::string path = std::string(TCPHS_TEST_DATA) + "/" + name + ".hex";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  std::string line;
  std::string digits;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') continue;
    for (char c : line)
      if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  }
  if (digits.empty() || digits.size() % 2 != 0) throw std::runtime_error("bad hex in " + path);
  Bytes bytes;
  for (std::size_t i = 0; i < digits.size(); i += 2)
    bytes.push_back(static_cast<std::uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  return bytes;
}

inline core::Packet decode_ok(const Bytes& b) {
  auto r = core::decode_packet(b);
  if (auto* e = std::get_if<core::DecodeError>(&r)) FAIL("decode failed: " << core::decode_error_name(*e));
  return std::get<core::Packet>(r);
}

inline core::DecodeError decode_err(const Bytes& b) {
  auto r = core::decode_packet(b);
  REQUIRE(std::holds_alternative<core::DecodeError>(r));
  return std::get<core::DecodeError>(r);
}

inline core::IpAddress addr(const char* text) { return *core::IpAddress::parse(text); }

inline void put16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

/// An 8-byte hop-by-hop or destination options header holding PadN(4);
/// its first byte (next header) is filled in by with_ext_headers.
inline const Bytes pad_n8 = {0, 0, 0x01, 0x04, 0, 0, 0, 0};

/// Inserts IPv6 extension `headers` (of protocol numbers `types`) after the
/// fixed IPv6 header found at offset `at`, chains them in front of its old
/// next header and grows its payload length to match.
inline Bytes with_ext_headers(Bytes b, std::size_t at, const std::vector<Bytes>& headers,
                              const std::vector<std::uint8_t>& types) {
  std::uint8_t next = b[at + 6];
  Bytes chain;
  for (std::size_t i = headers.size(); i-- > 0;) {
    Bytes h = headers[i];
    h[0] = next;
    next = types[i];
    chain.insert(chain.begin(), h.begin(), h.end());
  }
  b[at + 6] = next;
  put16(b, at + 4, static_cast<std::uint16_t>((b[at + 4] << 8 | b[at + 5]) + chain.size()));
  b.insert(b.begin() + static_cast<std::ptrdiff_t>(at + 40), chain.begin(), chain.end());
  return b;
}

}  // namespace tcphs::test
