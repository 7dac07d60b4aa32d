#include "tcphs/core/tcp_options.hpp"

#include <fmt/format.h>

namespace tcphs::core {
namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

void mark_malformed(TcpOptions& o, std::string reason) {
  if (!o.malformed) o.malformed_reason = std::move(reason);
  o.malformed = true;
}

/// Whether `len` (the whole option, kind and length bytes included) is what
/// the RFC defining `kind` allows. Kinds we do not interpret accept any.
bool length_fits(std::uint8_t kind, std::size_t len) {
  switch (kind) {
    case option_kind::mss: return len == 4;             // RFC 9293 §3.2
    case option_kind::wscale: return len == 3;          // RFC 7323 §2.2
    case option_kind::sack_permitted: return len == 2;  // RFC 2018 §2
    case option_kind::sack: return len >= 10 && (len - 2) % 8 == 0;  // RFC 2018 §3
    case option_kind::timestamps: return len == 10;     // RFC 7323 §3.2
    case option_kind::tfo: return len == 2 || (len >= 6 && len <= 18);  // RFC 7413 §4.1.1
    default: return true;
  }
}

void store(TcpOptions& o, std::uint8_t kind, std::span<const std::uint8_t> data) {
  switch (kind) {
    case option_kind::mss: o.mss = be16(data.data()); break;
    case option_kind::wscale: o.wscale = data[0]; break;
    case option_kind::sack_permitted: o.sack_permitted = true; break;
    case option_kind::sack: break;  // blocks only matter after the handshake
    case option_kind::timestamps: o.timestamps = TcpTimestamps{be32(data.data()), be32(data.data() + 4)}; break;
    case option_kind::tfo: o.tfo_cookie.emplace(data.begin(), data.end()); break;
    default: o.unknown.push_back({kind, {data.begin(), data.end()}}); break;
  }
}

std::string hex(std::span<const std::uint8_t> bytes) {
  std::string s;
  for (std::uint8_t b : bytes) s += fmt::format("{:02x}", b);
  return s;
}

std::string hex_suffix(std::span<const std::uint8_t> bytes) { return bytes.empty() ? "" : " " + hex(bytes); }

}  // namespace

TcpOptions decode_tcp_options(std::span<const std::uint8_t> bytes) {
  TcpOptions o;
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::uint8_t kind = bytes[i];
    o.kinds.push_back(kind);
    if (kind == option_kind::eol) break;
    if (kind == option_kind::nop) {
      ++i;
      continue;
    }
    if (i + 1 >= bytes.size()) {
      mark_malformed(o, fmt::format("option {} at offset {} has no length byte", kind, i));
      break;
    }
    const std::size_t len = bytes[i + 1];
    if (len < 2) {
      mark_malformed(o, fmt::format("option {} at offset {} has length {}", kind, i, len));
      break;
    }
    if (len > bytes.size() - i) {
      mark_malformed(o, fmt::format("option {} at offset {} has length {} but only {} bytes remain",
                                    kind, i, len, bytes.size() - i));
      break;
    }
    if (length_fits(kind, len))
      store(o, kind, bytes.subspan(i + 2, len - 2));
    else
      mark_malformed(o, fmt::format("option {} at offset {} has length {}, wrong for its kind", kind, i, len));
    i += len;
  }
  return o;
}

std::string describe_options(const TcpOptions& o) {
  std::string out;
  std::size_t next_unknown = 0;
  for (std::uint8_t kind : o.kinds) {
    if (!out.empty()) out += ',';
    switch (kind) {
      case option_kind::eol: out += "eol"; break;
      case option_kind::nop: out += "nop"; break;
      case option_kind::mss: out += o.mss ? fmt::format("mss {}", *o.mss) : "mss ?"; break;
      case option_kind::wscale: out += o.wscale ? fmt::format("wscale {}", *o.wscale) : "wscale ?"; break;
      case option_kind::sack_permitted: out += o.sack_permitted ? "sack" : "sack ?"; break;
      case option_kind::sack: out += "sackblocks"; break;
      case option_kind::timestamps:
        out += o.timestamps ? fmt::format("ts {}/{}", o.timestamps->val, o.timestamps->ecr) : "ts ?";
        break;
      case option_kind::tfo:
        if (!o.tfo_cookie)
          out += "tfo ?";
        else
          out += "tfo" + hex_suffix(*o.tfo_cookie);
        break;
      default:
        if (next_unknown < o.unknown.size() && o.unknown[next_unknown].kind == kind)
          out += fmt::format("opt {}{}", kind, hex_suffix(o.unknown[next_unknown++].data));
        else
          out += fmt::format("opt {} ?", kind);
        break;
    }
  }
  if (o.malformed) out += fmt::format("{}malformed: {}", out.empty() ? "" : ",", o.malformed_reason);
  return out;
}

}  // namespace tcphs::core
