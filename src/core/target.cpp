#include "tcphs/core/target.hpp"

#include <algorithm>
#include <cstdio>

namespace tcphs::core {
namespace {

constexpr std::size_t kMaxHostName = 253;  // RFC 1123 §2.1 (255 on the wire, less the length bytes)
constexpr std::size_t kMaxLabel = 63;      // RFC 1035 §2.3.4
constexpr std::size_t kMaxService = 15;    // RFC 6335 §5.1
constexpr std::size_t kMaxZone = 15;       // Linux IFNAMSIZ - 1

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_graphic(char c) { return c > 0x20 && c < 0x7f; }  // printable ASCII but space
bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

/// The input as it may appear inside a one-line message: bytes that are not
/// printable ASCII are shown as \xNN so a stray newline cannot split the line.
std::string shown(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (is_graphic(c) || c == ' ') {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out;
}

Error target_error(std::string_view text, const std::string& reason) {
  return usage_error("invalid target '" + shown(text) + "': " + reason);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// A decimal port 1..65535; on failure the Error message is the bare reason.
Result<std::uint16_t> decimal_port(std::string_view s) {
  std::string typed = shown(s);
  if (s.size() > 1 && s.front() == '-' && all_digits(s.substr(1)))
    return usage_error("port " + typed + " is out of range (1-65535)");
  if (!all_digits(s)) return usage_error("port '" + typed + "' is not a number");
  std::uint32_t value = 0;
  for (char c : s) value = std::min<std::uint32_t>(value * 10 + static_cast<std::uint32_t>(c - '0'), 65536);
  if (value == 0) return usage_error("port " + typed + " is not allowed");
  if (value > 65535) return usage_error("port " + typed + " is out of range (1-65535)");
  return static_cast<std::uint16_t>(value);
}

/// RFC 6335 §5.1: 1..15 letters, digits and hyphens, no hyphen at either end
/// or twice in a row. Returns the reason it is not one, or "".
std::string service_problem(std::string_view s) {
  std::string typed = shown(s);
  if (s.size() > kMaxService) return "service name '" + typed + "' is longer than 15 characters";
  if (!std::all_of(s.begin(), s.end(), [](char c) { return is_alnum(c) || c == '-'; }))
    return "service name '" + typed + "' may hold only letters, digits and hyphens";
  if (s.back() == '-' || s.find("--") != std::string_view::npos)
    return "service name '" + typed + "' has a misplaced hyphen";
  return "";
}

/// RFC 1123 §2.1 host name, `_` allowed (see target.hpp). Returns the reason
/// it is not one, or "".
std::string host_name_problem(std::string_view host) {
  std::string typed = shown(host);
  std::string_view name = host;
  if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);  // fully qualified
  if (name.size() > kMaxHostName) return "host name is longer than 253 characters";
  std::string_view last;
  while (true) {
    std::size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    if (label.empty()) return "empty label in host name '" + typed + "'";
    if (label.size() > kMaxLabel)
      return "label '" + shown(label) + "' is longer than 63 characters";
    for (char c : label)
      if (!is_alnum(c) && c != '-' && c != '_')
        return "host name '" + typed + "' has an invalid character '" + shown({&c, 1}) + "'";
    if (label.front() == '-' || label.back() == '-')
      return "label '" + shown(label) + "' starts or ends with a hyphen";
    last = label;
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  if (all_digits(last)) return "'" + typed + "' is not a valid IPv4 address";
  return "";
}

/// Linux accepts any interface name of 1..15 bytes other than "." and ".."
/// without '/', ':' or whitespace; a numeric index is also a valid zone.
bool valid_zone(std::string_view zone) {
  if (zone.empty() || zone.size() > kMaxZone || zone == "." || zone == "..") return false;
  return std::all_of(zone.begin(), zone.end(),
                     [](char c) { return is_graphic(c) && c != '/' && c != ':' && c != '%'; });
}

/// Fills spec.port or spec.service from the text after the last ':'.
Status parse_port_part(std::string_view text, std::string_view port, TargetSpec& spec) {
  if (port.empty()) return target_error(text, "missing port");
  if (is_alpha(port.front())) {
    std::string problem = service_problem(port);
    if (!problem.empty()) return target_error(text, problem);
    spec.service = std::string(port);
    return Ok{};
  }
  auto number = decimal_port(port);
  if (!number) return target_error(text, number.error().message);
  spec.port = *number;
  return Ok{};
}

Result<TargetSpec> parse_bracketed(std::string_view text) {
  std::size_t close = text.find(']');
  if (close == std::string_view::npos) return target_error(text, "missing ']'");
  std::string_view inner = text.substr(1, close - 1);
  std::string_view after = text.substr(close + 1);
  if (inner.empty()) return target_error(text, "missing host");

  std::size_t pct = inner.find('%');
  std::string_view addr = inner.substr(0, pct);
  auto ip = IpAddress::parse(addr);
  if (!ip || ip->family != Family::ipv6) {
    if (ip || addr.find(':') == std::string_view::npos)
      return target_error(text, "brackets are only for IPv6 addresses");
    return target_error(text, "'" + shown(addr) + "' is not a valid IPv6 address");
  }
  TargetSpec spec;
  if (pct != std::string_view::npos) {
    std::string_view zone = inner.substr(pct + 1);
    if (zone.empty()) return target_error(text, "missing zone after '%'");
    if (!valid_zone(zone))
      return target_error(text, "zone '" + shown(zone) + "' is not an interface name or index");
    spec.zone = std::string(zone);
  }
  if (after.empty()) return target_error(text, "missing port");
  if (after.front() != ':') return target_error(text, "expected ':' after ']'");
  if (auto st = parse_port_part(text, after.substr(1), spec); !st) return st.error();
  spec.text = std::string(text);
  spec.host = std::string(inner);
  spec.bracketed = true;
  spec.literal = ip;
  return spec;
}

/// An IPv6 address typed without brackets: suggest the bracketed form.
Error unbracketed_v6_error(std::string_view text, std::string_view host, std::string_view port) {
  const char* hint = "IPv6 addresses need brackets: ";
  auto host_ip = IpAddress::parse(host.substr(0, host.find('%')));
  if (host_ip && host_ip->family == Family::ipv6)
    return target_error(text, hint + ("[" + std::string(host) + "]:" +
                                      (port.empty() ? std::string("PORT") : shown(port))));
  auto whole = IpAddress::parse(text);
  if (whole && whole->family == Family::ipv6)
    return target_error(text, hint + ("[" + std::string(text) + "]:PORT"));
  return target_error(text, "too many ':' (" + std::string(hint) + "[ADDRESS]:PORT)");
}

}  // namespace

Result<TargetSpec> parse_target(std::string_view text) {
  if (trim(text).empty()) return target_error(text, "empty target");
  if (std::any_of(text.begin(), text.end(), is_space)) return target_error(text, "contains whitespace");
  if (text.front() == '[') return parse_bracketed(text);

  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return target_error(text, "missing port (expected HOST:PORT)");
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.find(':') != std::string_view::npos) return unbracketed_v6_error(text, host, port);
  if (host.empty()) return target_error(text, "missing host");

  TargetSpec spec;
  auto ip = IpAddress::parse(host);
  if (ip) {
    spec.literal = ip;
  } else if (std::string problem = host_name_problem(host); !problem.empty()) {
    return target_error(text, problem);
  }
  if (auto st = parse_port_part(text, port, spec); !st) return st.error();
  spec.text = std::string(text);
  spec.host = std::string(host);
  return spec;
}

Result<std::vector<std::uint16_t>> parse_port_list(std::string_view text) {
  auto fail = [&](const std::string& reason) {
    return usage_error("invalid port list '" + shown(text) + "': " + reason);
  };
  if (trim(text).empty()) return fail("empty port list");

  std::vector<bool> wanted(65536, false);
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view item = trim(text.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (item.empty()) return fail("empty item between commas");

    std::uint16_t lo = 0;
    std::uint16_t hi = 0;
    std::size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      auto p = decimal_port(item);
      if (!p) return fail(p.error().message);
      lo = hi = *p;
    } else {
      if (item.find('-', dash + 1) != std::string_view::npos)
        return fail("malformed range '" + shown(item) + "'");
      std::string_view lo_text = trim(item.substr(0, dash));
      std::string_view hi_text = trim(item.substr(dash + 1));
      auto l = lo_text.empty() ? Result<std::uint16_t>(std::uint16_t{1}) : decimal_port(lo_text);
      if (!l) return fail(l.error().message);
      auto h = hi_text.empty() ? Result<std::uint16_t>(std::uint16_t{65535}) : decimal_port(hi_text);
      if (!h) return fail(h.error().message);
      lo = *l;
      hi = *h;
      if (lo > hi)
        return fail("reversed range '" + shown(item) + "' (did you mean " + std::to_string(hi) + "-" +
                    std::to_string(lo) + "?)");
    }
    for (std::uint32_t p = lo; p <= hi; ++p) wanted[p] = true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }

  std::vector<std::uint16_t> ports;
  for (std::uint32_t p = 1; p <= 65535; ++p)
    if (wanted[p]) ports.push_back(static_cast<std::uint16_t>(p));
  return ports;
}

}  // namespace tcphs::core
