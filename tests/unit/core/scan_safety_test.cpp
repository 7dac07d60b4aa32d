#include <doctest/doctest.h>

#include "tcphs/core/scan_safety.hpp"

using namespace tcphs;

TEST_CASE("core::is_nonpublic") {
  const char* nonpublic[] = {"127.0.0.1",  "127.255.0.9",   "10.77.3.2",   "172.16.0.1",   "172.31.255.255",
                             "192.168.1.1", "100.64.0.1",   "169.254.1.1", "192.0.2.10",   "198.51.100.7",
                             "203.0.113.9", "0.0.0.0",      "::1",         "::",           "fd00:77:3::2",
                             "fc00::1",     "fe80::1",      "2001:db8::1", "3fff:0fff::1", "::ffff:10.0.0.1"};
  const char* public_[] = {"8.8.8.8",   "172.32.0.1", "192.0.3.1",    "198.51.101.1", "100.128.0.1",
                           "11.0.0.1",  "2001:db9::1", "2606:4700::1", "3fff:1000::1", "::ffff:8.8.8.8"};
  for (const char* text : nonpublic) {
    CAPTURE(text);
    CHECK(core::is_nonpublic(*core::IpAddress::parse(text)));
  }
  for (const char* text : public_) {
    CAPTURE(text);
    CHECK_FALSE(core::is_nonpublic(*core::IpAddress::parse(text)));
  }
}

TEST_CASE("core::scan_needs_confirmation") {
  const auto pub = *core::IpAddress::parse("8.8.8.8");
  CHECK_FALSE(core::scan_needs_confirmation(pub, 1024));
  CHECK(core::scan_needs_confirmation(pub, 1025));
  CHECK_FALSE(core::scan_needs_confirmation(*core::IpAddress::parse("10.0.0.1"), 65535));
}
