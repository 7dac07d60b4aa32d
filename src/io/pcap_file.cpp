#include "tcphs/io/pcap_file.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <span>

#include <fmt/format.h>

#include "tcphs/io/capture.hpp"

namespace tcphs::io {

core::Result<std::vector<StoredFrame>> read_pcap_file(const std::string& path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, void (*)(pcap_t*)> p(
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf), pcap_close);
  if (!p) return core::io_error(fmt::format("cannot read {}: {}", path, errbuf));
  const int datalink = pcap_datalink(p.get());
  const int known[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP};
  if (std::find(std::begin(known), std::end(known), datalink) == std::end(known))
    return core::io_error(fmt::format("cannot read {}: unsupported link type {}", path,
                                      pcap_datalink_val_to_name(datalink)));
  std::vector<StoredFrame> frames;
  pcap_pkthdr* header = nullptr;
  const u_char* bytes = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(p.get(), &header, &bytes)) == 1) {
    const std::span<const std::uint8_t> frame(bytes, header->caplen);
    const auto offset = link_header_length(datalink, frame);
    if (!offset) continue;
    const auto ip = frame.subspan(*offset);
    // Opened at nanosecond precision: tv_usec holds nanoseconds.
    frames.push_back({{ip.begin(), ip.end()},
                      {header->ts.tv_sec * 1'000'000'000LL + header->ts.tv_usec, core::StampSource::capture}});
  }
  if (rc == PCAP_ERROR) return core::io_error(fmt::format("cannot read {}: {}", path, pcap_geterr(p.get())));
  return frames;
}

}  // namespace tcphs::io
