#include "tcphs/app/explain_command.hpp"

#include <fmt/format.h>

#include <cstring>
#include <vector>

#include "tcphs/app/text_format.hpp"
#include "tcphs/core/outcome_guide.hpp"

namespace tcphs::app {

CLI::App* add_explain_command(CLI::App& app, ExplainOptions& o) {
  auto* cmd = app.add_subcommand("explain", "Explain the outcomes: what was seen, likely causes, what to check");
  cmd->footer(
      "Examples:\n"
      "  tcphs explain\n"
      "  tcphs explain timeout\n"
      "  tcphs explain refused,filtered");
  cmd->add_option("outcome", o.outcomes, "open, refused, timeout, filtered or unreachable (comma-separated for several)");
  add_color_option(*cmd, o.color);
  return cmd;
}

namespace {

constexpr std::size_t kWidth = 80;

/// Appends `text` word-wrapped to kWidth: the first line starts with
/// `first`, the others with `indent` spaces.
void wrap(std::string& out, const std::string& first, std::size_t indent, std::string_view text) {
  std::string line = first;
  bool fresh = true;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    if (!fresh && line.size() + 1 + word.size() > kWidth) {
      out += line + "\n";
      line = std::string(indent, ' ');
      fresh = true;
    }
    line += fresh ? std::string(word) : " " + std::string(word);
    fresh = false;
  }
  out += line + "\n";
}

/// "3/3, 3/9-10" style: consecutive codes of one type collapse to a range.
std::string icmp_codes(std::span<const core::IcmpCode> codes, core::Family family) {
  std::string s;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i].family != family) continue;
    std::size_t j = i;
    while (j + 1 < codes.size() && codes[j + 1].family == family && codes[j + 1].type == codes[i].type &&
           codes[j + 1].code == codes[j].code + 1)
      ++j;
    s += fmt::format("{}{}/{}", s.empty() ? "" : ", ", codes[i].type, codes[i].code);
    if (j > i) s += fmt::format("-{}", codes[j].code);
    i = j;
  }
  return s;
}

std::string icmp_line(std::span<const core::IcmpCode> codes) {
  const std::string v4 = icmp_codes(codes, core::Family::ipv4);
  const std::string v6 = icmp_codes(codes, core::Family::ipv6);
  if (v4.empty() && v6.empty()) return "";
  return fmt::format("ICMP type/code {}; ICMPv6 {}", v4.empty() ? "none" : v4, v6.empty() ? "none" : v6);
}

std::string errno_names(std::span<const int> errnos) {
  std::string s;
  for (int e : errnos) {
    const char* name = e == 0 ? "connect() succeeds" : strerrorname_np(e);
    s += fmt::format("{}{}", s.empty() ? "" : ", ", name ? name : std::to_string(e));
  }
  return s;
}

std::string heading(core::Outcome o, bool color) {
  const auto& info = core::outcome_info(o);
  return paint(color, o, std::string(info.word)) + fmt::format(" (exit {})", info.exit_code);
}

void detail(std::string& out, core::Outcome o, bool color) {
  const auto& info = core::outcome_info(o);
  const auto& guide = core::outcome_guide(o);
  out += heading(o, color) + "\n";
  wrap(out, "  ", 2, info.human);
  out += "  Seen on the wire:\n";
  wrap(out, "    ", 4, guide.seen);
  const std::string icmp = icmp_line(guide.icmp);
  if (!icmp.empty()) wrap(out, "    ", 4, icmp);
  out += "  Likely causes:\n";
  for (auto cause : guide.causes) wrap(out, "    - ", 6, cause);
  out += "  Check next:\n";
  for (auto step : guide.next) wrap(out, "    - ", 6, step);
  wrap(out, "  In connect mode (no CAP_NET_RAW): ", 4, errno_names(guide.connect_errnos));
  wrap(out, "    ", 4, guide.connect_mode);
}

void table(std::string& out, bool color) {
  out += "OUTCOME      EXIT  MEANING\n";
  for (core::Outcome o : core::all_outcomes) {
    const auto& info = core::outcome_info(o);
    const std::string word(info.word);
    wrap(out, paint(color, o, word) + std::string(13 - word.size(), ' ') + fmt::format("{:<6}", info.exit_code),
         19, info.human);
  }
}

void exit_codes(std::string& out) {
  out += "Exit codes\n";
  wrap(out, "  0         ", 12, "every target ended in an expected outcome (--expect, default open)");
  wrap(out, "  1-4       ", 12, "the code of the first target, in argument order, whose outcome was not expected");
  wrap(out, fmt::format("  {:<10}", core::unexpected_open_exit_code), 12,
       "a target was open, but open was not expected (0 would read as success)");
  wrap(out, "  3, 4      ", 12, "also when this host could not send the SYN: a local firewall refused it (3), "
                                "or there is no route (4)");
  wrap(out, "  64        ", 12, "usage error");
  wrap(out, "  68        ", 12, "a host name did not resolve");
  wrap(out, "  77        ", 12, "raw sockets not permitted, and they were needed (--mode raw; trace, scan, isn)");
  wrap(out, "  70        ", 12, "internal or system error");
  wrap(out, "  130, 143  ", 12, "interrupted by SIGINT or SIGTERM");
}

}  // namespace

core::Result<std::string> render_explain(const std::string& outcomes, bool color) {
  std::string out;
  if (!outcomes.empty()) {
    TCPHS_TRY(list, core::parse_outcome_list(outcomes));
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i) out += "\n";
      detail(out, list[i], color);
    }
    return out;
  }
  table(out, color);
  for (core::Outcome o : core::all_outcomes) {
    out += "\n";
    detail(out, o, color);
  }
  out += "\n";
  exit_codes(out);
  return out;
}

core::Result<int> run_explain(const ExplainOptions& o) {
  TCPHS_TRY(text, render_explain(o.outcomes, want_color(o.color, 1)));
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace tcphs::app
