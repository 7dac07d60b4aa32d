#include "tcphs/core/scan_template.hpp"

#include <algorithm>

#include "tcphs/core/tcp_options.hpp"

namespace tcphs::core {
namespace {

constexpr std::uint8_t protocol_tcp = 6;

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, static_cast<std::uint16_t>(v >> 16));
  put16(p + 2, static_cast<std::uint16_t>(v));
}

std::uint32_t sum_words(std::span<const std::uint8_t> bytes, std::uint32_t sum) {
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += std::uint32_t{bytes[i]} << 8 | bytes[i + 1];
  if (i < bytes.size()) sum += std::uint32_t{bytes[i]} << 8;  // odd length: pad with a zero byte
  return sum;
}

/// Where TSval sits in the options area starting at `at`, if anywhere.
std::optional<std::size_t> find_ts_val(std::span<const std::uint8_t> pkt, std::size_t at, std::size_t end) {
  while (at < end) {
    const std::uint8_t kind = pkt[at];
    if (kind == option_kind::eol) break;
    if (kind == option_kind::nop) {
      ++at;
      continue;
    }
    if (at + 1 >= end || pkt[at + 1] < 2) break;
    if (kind == option_kind::timestamps && pkt[at + 1] == 10 && at + 10 <= end) return at + 2;
    at += pkt[at + 1];
  }
  return std::nullopt;
}

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t initial) {
  std::uint32_t sum = sum_words(bytes, initial);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::optional<SynTemplate> SynTemplate::make(const SynSpec& spec) {
  const auto crafted = craft_syn(spec);
  if (crafted.empty() || crafted.size() > max_syn_bytes) return std::nullopt;
  SynTemplate t;
  std::copy(crafted.begin(), crafted.end(), t.bytes_.begin());
  t.size_ = crafted.size();
  const bool v4 = spec.flow.remote.family == Family::ipv4;
  t.tcp_at_ = v4 ? static_cast<std::size_t>(crafted[0] & 0x0f) * 4 : 40;
  const std::size_t tcp_len = t.size_ - t.tcp_at_;
  const std::size_t data_at = t.tcp_at_ + static_cast<std::size_t>(crafted[t.tcp_at_ + 12] >> 4) * 4;
  if (t.tcp_at_ + 20 > t.size_ || data_at > t.size_) return std::nullopt;
  if (spec.options.timestamps) t.ts_val_at_ = find_ts_val(crafted, t.tcp_at_ + 20, data_at);
  // RFC 9293 §3.1 (IPv4) and RFC 8200 §8.1 (IPv6): source, destination,
  // protocol and TCP length, summed once for every packet of the template.
  std::uint32_t sum = sum_words(spec.flow.local.span(), 0);
  sum = sum_words(spec.flow.remote.span(), sum);
  t.pseudo_sum_ = sum + protocol_tcp + static_cast<std::uint32_t>(tcp_len);
  return t;
}

std::size_t SynTemplate::write(std::uint16_t remote_port, std::uint32_t seq, std::uint32_t ts_val,
                               std::span<std::uint8_t, max_syn_bytes> out) const {
  std::copy(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(size_), out.begin());
  std::uint8_t* tcp = out.data() + tcp_at_;
  put16(tcp + 2, remote_port);
  put32(tcp + 4, seq);
  if (ts_val_at_) put32(out.data() + *ts_val_at_, ts_val);
  put16(tcp + 16, 0);
  put16(tcp + 16, internet_checksum({tcp, size_ - tcp_at_}, pseudo_sum_));
  return size_;
}

}  // namespace tcphs::core
