#include <fmt/format.h>

#include <pugixml.hpp>
#include <sstream>

#include "tcphs/app/handshake_command.hpp"

namespace tcphs::app {
namespace {

constexpr int width = 760;
constexpr int client_x = 200;
constexpr int server_x = 600;
constexpr int top = 80;
constexpr int row_h = 54;
constexpr int note_h = 18;
constexpr const char* out_stroke = "#1f5fa8";
constexpr const char* in_stroke = "#b3261e";

pugi::xml_node text(pugi::xml_node parent, int x, int y, const std::string& s, const char* anchor = "start",
                    const char* fill = "#222") {
  auto t = parent.append_child("text");
  t.append_attribute("x") = x;
  t.append_attribute("y") = y;
  t.append_attribute("text-anchor") = anchor;
  t.append_attribute("fill") = fill;
  t.text().set(s.c_str());
  return t;
}

void line(pugi::xml_node parent, int x1, int y1, int x2, int y2, const char* stroke, const char* marker = nullptr) {
  auto l = parent.append_child("line");
  l.append_attribute("x1") = x1;
  l.append_attribute("y1") = y1;
  l.append_attribute("x2") = x2;
  l.append_attribute("y2") = y2;
  l.append_attribute("stroke") = stroke;
  l.append_attribute("stroke-width") = marker ? 1.5 : 1.0;
  if (marker) l.append_attribute("marker-end") = marker;
}

void arrowhead(pugi::xml_node defs, const char* id, const char* fill) {
  auto m = defs.append_child("marker");
  m.append_attribute("id") = id;
  m.append_attribute("viewBox") = "0 0 10 10";
  m.append_attribute("refX") = 10;
  m.append_attribute("refY") = 5;
  m.append_attribute("markerWidth") = 8;
  m.append_attribute("markerHeight") = 8;
  m.append_attribute("orient") = "auto-start-reverse";
  auto p = m.append_child("path");
  p.append_attribute("d") = "M 0 0 L 10 5 L 0 10 z";
  p.append_attribute("fill") = fill;
}

std::string num(const std::optional<std::uint32_t>& v) { return v ? std::to_string(*v) : "-"; }

}  // namespace

std::string ladder_svg(const core::Ladder& ladder, const LadderContext& context) {
  const auto notes = ladder_annotations(ladder, true, context.interrupted);
  const int rows = static_cast<int>(ladder.rows.size());
  const int bottom = top + 30 + rows * row_h;
  const int height = bottom + 30 + static_cast<int>(notes.size() + context.kernel_notes.size() + 1) * note_h;

  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto svg = doc.append_child("svg");
  svg.append_attribute("xmlns") = "http://www.w3.org/2000/svg";
  svg.append_attribute("width") = width;
  svg.append_attribute("height") = height;
  svg.append_attribute("viewBox") = fmt::format("0 0 {} {}", width, height).c_str();
  svg.append_attribute("font-family") = "monospace";
  svg.append_attribute("font-size") = 12;
  auto defs = svg.append_child("defs");
  arrowhead(defs, "out", out_stroke);
  arrowhead(defs, "in", in_stroke);
  auto bg = svg.append_child("rect");
  bg.append_attribute("width") = "100%";
  bg.append_attribute("height") = "100%";
  bg.append_attribute("fill") = "white";

  text(svg, 10, 22, fmt::format("HANDSHAKE {} → {}", context.client, context.server)).append_attribute("font-weight") =
      "bold";
  text(svg, client_x, top - 30, "CLIENT", "middle");
  text(svg, server_x, top - 30, "SERVER*", "middle");
  text(svg, client_x, top - 14, std::string(core::state_name(ladder.client_initial)), "middle");
  text(svg, server_x, top - 14,
       ladder.server_initial ? std::string(core::state_name(*ladder.server_initial)) + "*" : "?*", "middle");
  text(svg, 10, top - 14, "t (µs)");
  line(svg, client_x, top, client_x, bottom, "#888");
  line(svg, server_x, top, server_x, bottom, "#888");

  int y = top + 30;
  for (const auto& r : ladder.rows) {
    const bool out = r.seg.dir == core::SegmentDir::out;
    const char* stroke = out ? out_stroke : in_stroke;
    const int from = out ? client_x : server_x;
    const int to = out ? server_x : client_x;
    line(svg, from, y, to, y, stroke, out ? "url(#out)" : "url(#in)");
    std::string label = r.seg.icmp ? fmt::format("ICMP {}/{} from {}", r.seg.icmp->type, r.seg.icmp->code,
                                                 r.seg.icmp->from.to_string())
                                   : core::flag_words(r.seg.flags);
    if (r.retransmission) label += " (retransmission)";
    if (r.out_of_order) label += " (out of order)";
    const int mid = (client_x + server_x) / 2;
    text(svg, mid, y - 6, label, "middle", stroke).append_attribute("font-weight") = "bold";
    if (!r.seg.icmp)
      text(svg, mid, y + 16,
           fmt::format("seq {} ack {} len {} (abs {} / {})", num(r.rel_seq), num(r.rel_ack), r.seg.len, r.seg.seq,
                       (r.seg.flags & core::tcp_flag::ack) ? std::to_string(r.seg.ack) : "-"),
           "middle", stroke);
    if ((r.seg.flags & core::tcp_flag::syn) && !r.seg.icmp)
      text(svg, mid, y + 30, compact_options(r.seg.options), "middle", stroke);
    text(svg, 10, y + 4, fmt::format("{:.1f}", static_cast<double>(r.t_ns) / 1000.0));
    if (r.client_changed) text(svg, client_x - 8, y + 4, std::string(core::state_name(r.client_state)), "end");
    if (r.server_changed && r.server_state)
      text(svg, server_x + 8, y + 4, std::string(core::state_name(*r.server_state)) + "*");
    y += row_h;
  }
  y = bottom + 30;
  text(svg, 10, y, "* server states are inferred from the segments seen on the client side", "start", "#555");
  for (const auto& n : notes) text(svg, 10, y += note_h, n);
  for (const auto& n : context.kernel_notes) text(svg, 10, y += note_h, n);
  std::ostringstream s;
  doc.save(s, "  ");
  return s.str();
}

}  // namespace tcphs::app
