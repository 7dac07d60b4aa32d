/// libFuzzer entry point: every input is tried as a whole packet (IP header
/// first) and as a bare TCP options area. The decoders must neither crash
/// nor break the invariants checked here, whatever the bytes.

#include <cstddef>
#include <cstdint>
#include <span>

#include "tcphs/core/packet.hpp"
#include "tcphs/core/tcp_options.hpp"

namespace {

using namespace tcphs::core;

/// Stops the run with a crash report when an invariant does not hold.
void expect(bool ok) {
  if (!ok) __builtin_trap();
}

void check_options(const TcpOptions& o, std::size_t area) {
  expect(o.kinds.size() <= area);
  expect(o.unknown.size() <= o.kinds.size());
  expect(o.malformed == !o.malformed_reason.empty());
  expect(!describe_options(o).empty() || (o.kinds.empty() && !o.malformed));
}

void check_tcp(const TcpHeader& t) {
  expect(t.flags <= 0x1ff);
  check_options(t.options, 40);
  flags_string(t.flags);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);

  auto decoded = decode_packet(bytes);
  if (const auto* p = std::get_if<Packet>(&decoded)) {
    expect(p->src.family == p->dst.family);
    if (const TcpHeader* t = p->tcp()) check_tcp(*t);
    if (const IcmpError* e = p->icmp()) {
      expect(e->quote.protocol == 6);
      expect(e->quote.src.family == p->src.family);
      if (e->quote.tcp) {
        check_tcp(*e->quote.tcp);
        expect(e->quote.tcp->sport == e->quote.sport && e->quote.tcp->seq == e->quote.seq);
      }
    }
  } else {
    expect(!decode_error_name(std::get<DecodeError>(decoded)).empty());
  }

  check_options(decode_tcp_options(bytes), size);
  return 0;
}
