#pragma once
/// Reads the packet fixtures of tests/data: "#" lines are comments, the rest
/// is hex (whitespace ignored), one packet per file starting at the IP header.

#include <cctype>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tcphs::test {

inline std::vector<std::uint8_t> load_hex_fixture(const std::string& name) {
  const std::string path = std::string(TCPHS_TEST_DATA) + "/" + name + ".hex";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  std::vector<std::uint8_t> bytes;
  std::string line;
  std::string digits;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') continue;
    for (char c : line)
      if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  }
  if (digits.empty() || digits.size() % 2 != 0) throw std::runtime_error("bad hex in " + path);
  for (std::size_t i = 0; i < digits.size(); i += 2)
    bytes.push_back(static_cast<std::uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  return bytes;
}

}  // namespace tcphs::test
