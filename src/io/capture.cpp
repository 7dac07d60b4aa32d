#include "tcphs/io/capture.hpp"

#include <net/if.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

#include <algorithm>

#include <fmt/format.h>

#include "tcphs/io/system.hpp"

namespace tcphs::io {
namespace {

constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_ipv6 = 0x86dd;
constexpr std::uint16_t ethertype_vlan = 0x8100;
/// dispatch() rounds per drain(), so a flood cannot starve the caller's timers.
constexpr int max_dispatch_rounds = 16;

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

std::optional<std::size_t> if_ip(std::uint16_t ethertype, std::size_t length) {
  if (ethertype == ethertype_ipv4 || ethertype == ethertype_ipv6) return length;
  return std::nullopt;
}

bool supported_datalink(int datalink) {
  switch (datalink) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_NULL:
    case DLT_LOOP:
      return true;
    default:
      return false;
  }
}

struct PcapClose {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
using Pcap = std::unique_ptr<pcap_t, PcapClose>;

class PcapCapture final : public Capture {
 public:
  PcapCapture(Pcap pcap, std::string interface)
      : pcap_(std::move(pcap)),
        interface_(std::move(interface)),
        datalink_(pcap_datalink(pcap_.get())),
        nano_(pcap_get_tstamp_precision(pcap_.get()) == PCAP_TSTAMP_PRECISION_NANO),
        fd_(pcap_get_selectable_fd(pcap_.get())) {}

  int fd() const override { return fd_; }

  core::Result<std::size_t> drain(const std::function<void(const CapturedFrame&)>& sink) override {
    Delivery delivery{this, &sink, 0};
    for (int round = 0; round < max_dispatch_rounds; ++round) {
      const int rc =
          pcap_dispatch(pcap_.get(), -1, &PcapCapture::on_frame, reinterpret_cast<u_char*>(&delivery));
      if (rc == PCAP_ERROR)
        return core::io_error(fmt::format("capture on {} failed: {}", interface_, pcap_geterr(pcap_.get())));
      if (rc <= 0) break;
    }
    return delivery.count;
  }

  CaptureStats stats() const override {
    pcap_stat s{};
    if (pcap_stats(pcap_.get(), &s) != 0) return {};
    return {s.ps_recv, s.ps_drop};
  }

 private:
  struct Delivery {
    const PcapCapture* self;
    const std::function<void(const CapturedFrame&)>* sink;
    std::size_t count;
  };

  static void on_frame(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    auto* delivery = reinterpret_cast<Delivery*>(user);
    const std::span<const std::uint8_t> frame(bytes, header->caplen);
    const auto offset = link_header_length(delivery->self->datalink_, frame);
    if (!offset) return;
    // With nanosecond precision libpcap stores nanoseconds in tv_usec.
    const std::int64_t sub = delivery->self->nano_ ? header->ts.tv_usec : header->ts.tv_usec * 1000LL;
    const core::Stamp stamp{header->ts.tv_sec * 1'000'000'000LL + sub, core::StampSource::capture};
    (*delivery->sink)(CapturedFrame{frame.subspan(*offset), stamp});
    ++delivery->count;
  }

  Pcap pcap_;
  std::string interface_;
  int datalink_;
  bool nano_;
  int fd_;
};

core::Error activate_error(pcap_t* p, int rc, const std::string& interface) {
  switch (rc) {
    case PCAP_ERROR_PERM_DENIED:
      return {core::ErrorKind::permission,
              fmt::format("cannot capture on {} (permission denied); {}", interface, net_raw_hint)};
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return core::usage_error(fmt::format("unknown interface '{}'", interface));
    case PCAP_ERROR_IFACE_NOT_UP:
      return core::io_error(fmt::format("cannot capture on {}: the interface is down", interface));
    default:
      return core::io_error(fmt::format("cannot capture on {}: {}", interface, pcap_geterr(p)));
  }
}

}  // namespace

std::optional<std::size_t> link_header_length(int datalink, std::span<const std::uint8_t> frame) {
  switch (datalink) {
    case DLT_EN10MB:
      if (frame.size() < 14) return std::nullopt;
      if (be16(frame, 12) != ethertype_vlan) return if_ip(be16(frame, 12), 14);
      if (frame.size() < 18) return std::nullopt;
      return if_ip(be16(frame, 16), 18);
    case DLT_LINUX_SLL:  // protocol at 14 (netlink/packet(7) cooked header v1)
      if (frame.size() < 16) return std::nullopt;
      return if_ip(be16(frame, 14), 16);
    case DLT_LINUX_SLL2:  // protocol first, 20-byte header
      if (frame.size() < 20) return std::nullopt;
      return if_ip(be16(frame, 0), 20);
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
      return 0;
    case DLT_NULL:
    case DLT_LOOP:  // a 4-byte address family in host or network order
      if (frame.size() < 4) return std::nullopt;
      return 4;
    default:
      return std::nullopt;
  }
}

core::Result<std::unique_ptr<Capture>> open_capture(const CaptureConfig& config) {
  const std::string& name = config.interface;
  // Checked first so a typo is a usage error even without privileges.
  if (name != "any" && if_nametoindex(name.c_str()) == 0)
    return core::usage_error(fmt::format("unknown interface '{}'", name));
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  Pcap pcap(pcap_create(name.c_str(), errbuf));
  if (!pcap) return core::io_error(fmt::format("cannot capture on {}: {}", name, errbuf));
  pcap_t* p = pcap.get();
  pcap_set_snaplen(p, config.snaplen);
  pcap_set_promisc(p, 0);
  pcap_set_immediate_mode(p, config.immediate ? 1 : 0);
  // 0 would mean "wait for a full block" on a TPACKET_V3 ring.
  pcap_set_timeout(p, std::max(1, config.block_timeout_ms));
  // Refused only by libpcap builds without nano support: the stamps then
  // come in µs, which on_frame() scales, so the failure is not an error.
  pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
  pcap_set_buffer_size(p, config.buffer_bytes);
  if (const int rc = pcap_activate(p); rc < 0) return activate_error(p, rc, name);
  if (!supported_datalink(pcap_datalink(p)))
    return core::io_error(fmt::format("cannot capture on {}: unsupported link type {}", name,
                                      pcap_datalink_val_to_name(pcap_datalink(p))));
  // Asking for socket timestamps switches on the kernel's global packet
  // stamping (net_enable_timestamp): every packet is then stamped once, as
  // it is received or handed to the taps, and every capture socket (ours,
  // tcpdump's) reads that same stamp instead of each reading the clock in
  // turn, later by however long the taps before it took. The option itself
  // is not needed for TPACKET rings, so a refusal only loses that.
  const int on = 1;
  setsockopt(pcap_fileno(p), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  if (pcap_setdirection(p, PCAP_D_INOUT) != 0)
    return core::io_error(fmt::format("cannot capture on {}: {}", name, pcap_geterr(p)));

  bpf_program program{};
  if (pcap_compile(p, &program, config.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    return core::Error{core::ErrorKind::internal, fmt::format("capture filter '{}' does not compile: {}",
                                                              config.filter, pcap_geterr(p))};
  const int set = pcap_setfilter(p, &program);
  pcap_freecode(&program);
  if (set != 0)
    return core::io_error(fmt::format("cannot filter the capture on {}: {}", name, pcap_geterr(p)));
  if (pcap_setnonblock(p, 1, errbuf) != 0)
    return core::io_error(fmt::format("cannot capture on {}: {}", name, errbuf));
  if (pcap_get_selectable_fd(p) < 0)
    return core::io_error(fmt::format("cannot capture on {}: no pollable descriptor", name));
  return std::unique_ptr<Capture>(std::make_unique<PcapCapture>(std::move(pcap), name));
}

}  // namespace tcphs::io
