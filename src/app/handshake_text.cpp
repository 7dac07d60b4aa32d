#include <fmt/format.h>

#include "tcphs/app/handshake_ladder.hpp"

namespace tcphs::app {
namespace {

constexpr int time_cols = 9;
constexpr int state_cols = 12;
constexpr const char* out_color = "\x1b[36m";  // cyan: client to server
constexpr const char* in_color = "\x1b[33m";   // yellow: server to client
constexpr const char* reset_color = "\x1b[0m";

struct Glyphs {
  const char* bar;
  const char* line;
  const char* right;
  const char* left;
  const char* micro;
};
constexpr Glyphs unicode_glyphs{"│", "─", "►", "◄", "µs"};
constexpr Glyphs ascii_glyphs{"|", "-", ">", "<", "us"};

/// Terminal columns of UTF-8 text: every glyph used here is one column.
int cols(const std::string& s) {
  int n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string repeat(const char* g, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += g;
  return s;
}

std::string fit(const std::string& s, int width) {
  if (cols(s) <= width) return s;
  return s.substr(0, static_cast<std::size_t>(width > 1 ? width - 1 : 0)) + "~";  // ASCII only
}

std::string pad_left(const std::string& s, int width) { return std::string(std::max(0, width - cols(s)), ' ') + s; }
std::string pad_right(const std::string& s, int width) { return s + std::string(std::max(0, width - cols(s)), ' '); }

std::string time_text(std::int64_t ns) {
  const double us = static_cast<double>(ns) / 1000.0;
  return us >= 1e7 ? fmt::format("{:.0f}", us) : fmt::format("{:.1f}", us);
}

class Drawer {
 public:
  Drawer(const LadderStyle& style) : style_(style), g_(style.unicode ? unicode_glyphs : ascii_glyphs) {
    lane_ = lane_width(style);
  }

  void line(const std::string& time, const std::string& client, const std::string& lane, const std::string& server,
            const char* color = nullptr) {
    std::string l = pad_left(time, time_cols) + " " + pad_left(client, state_cols) + " " + g_.bar;
    if (color && style_.color) l += color + lane + reset_color;
    else l += lane;
    l += g_.bar;
    if (!server.empty()) l += " " + server;
    out_ += l + "\n";
  }

  std::string arrow(core::SegmentDir dir, const std::string& label) const {
    const std::string text = " " + fit(label, lane_ - 5) + " ";
    const int fill = lane_ - 2 - cols(text);
    if (dir == core::SegmentDir::out) return g_.line + text + repeat(g_.line, fill) + g_.right;
    return g_.left + repeat(g_.line, fill) + text + g_.line;
  }

  std::string detail(core::SegmentDir dir, const std::string& text) const {
    const std::string t = fit(text, lane_ - 2);
    if (dir == core::SegmentDir::out) return " " + pad_right(t, lane_ - 1);
    return pad_left(t, lane_ - 1) + " ";
  }

  std::string blank() const { return std::string(static_cast<std::size_t>(lane_), ' '); }
  void raw(const std::string& s) { out_ += s + "\n"; }
  const Glyphs& glyphs() const { return g_; }
  const LadderStyle& style() const { return style_; }
  std::string take() { return std::move(out_); }

 private:
  LadderStyle style_;
  Glyphs g_;
  int lane_ = 41;
  std::string out_;
};

std::string opt_num(const std::optional<std::uint32_t>& v) { return v ? std::to_string(*v) : "-"; }

std::string label_of(const core::LadderRow& r) {
  if (r.seg.icmp) return fmt::format("ICMP {}/{} from {}", r.seg.icmp->type, r.seg.icmp->code, r.seg.icmp->from.to_string());
  std::string label = core::flag_words(r.seg.flags);
  if (r.retransmission) label += " (retransmission)";
  if (r.out_of_order) label += " (out of order)";
  return label;
}

void draw_row(Drawer& d, const core::LadderRow& r) {
  const auto dir = r.seg.dir;
  const char* color = dir == core::SegmentDir::out ? out_color : in_color;
  const std::string client = r.client_changed ? std::string(core::state_name(r.client_state)) : "";
  const std::string server =
      r.server_changed && r.server_state ? std::string(core::state_name(*r.server_state)) + "*" : "";
  d.line(time_text(r.t_ns), client, d.arrow(dir, label_of(r)), server, color);
  if (r.seg.icmp) {
    d.line("", "", d.detail(dir, fmt::format("quotes our SYN, seq {}", r.seg.seq)), "", color);
    return;
  }
  const bool has_ack = r.seg.flags & core::tcp_flag::ack;
  const std::string ack_abs = has_ack ? std::to_string(r.seg.ack) : "-";
  if (d.style().wide) {
    d.line("", "",
           d.detail(dir, fmt::format("seq {} ({}) ack {} ({}) len {} win {}", opt_num(r.rel_seq), r.seg.seq,
                                     opt_num(r.rel_ack), ack_abs, r.seg.len, r.seg.window)),
           "", color);
  } else {
    d.line("", "", d.detail(dir, fmt::format("seq {} ack {} len {}", opt_num(r.rel_seq), opt_num(r.rel_ack), r.seg.len)),
           "", color);
    d.line("", "", d.detail(dir, fmt::format("abs seq {} ack {}", r.seg.seq, ack_abs)), "", color);
  }
  if (r.seg.flags & core::tcp_flag::syn) {
    const std::string opts = d.style().wide ? core::describe_options(r.seg.options) : compact_options(r.seg.options);
    if (!opts.empty()) d.line("", "", d.detail(dir, opts), "", color);
  }
}

}  // namespace

int lane_width(const LadderStyle& style) { return style.wide ? 71 : 41; }

std::string compact_options(const core::TcpOptions& o) {
  std::string s;
  auto add = [&](const std::string& w) { s += (s.empty() ? "" : " ") + w; };
  if (o.mss) add(fmt::format("mss {}", *o.mss));
  if (o.sack_permitted) add("sack");
  if (o.timestamps) add("ts");
  if (o.wscale) add(fmt::format("wscale {}", *o.wscale));
  if (o.tfo_cookie) add("tfo");
  for (const auto& u : o.unknown) add(fmt::format("opt {}", u.kind));
  if (o.malformed) add("malformed");
  return s;
}

std::string render_ladder(const core::Ladder& ladder, const LadderContext& context, const LadderStyle& style) {
  Drawer d(style);
  const auto& g = d.glyphs();
  d.raw(fmt::format("HANDSHAKE {} {} {}", context.client, style.unicode ? "→" : "->", context.server));
  d.line(fmt::format("t ({})", g.micro), "CLIENT", d.blank(), "SERVER*");
  d.line("", std::string(core::state_name(ladder.client_initial)), d.blank(),
         ladder.server_initial ? std::string(core::state_name(*ladder.server_initial)) + "*" : "?*");
  for (const auto& r : ladder.rows) draw_row(d, r);
  d.line("", "", d.blank(), "");
  d.raw("* server states are inferred from the segments seen on the client side");
  for (const auto& a : ladder_annotations(ladder, style.unicode, context.interrupted)) d.raw(a);
  for (const auto& k : context.kernel_notes) d.raw(k);
  return d.take();
}

}  // namespace tcphs::app
