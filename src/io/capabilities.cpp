#include <sys/capability.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "tcphs/io/system.hpp"

namespace tcphs::io {
namespace {

struct CapFree {
  void operator()(_cap_struct* caps) const { cap_free(caps); }
};
using Caps = std::unique_ptr<_cap_struct, CapFree>;

bool flag_set(cap_t caps, cap_value_t cap, cap_flag_t set) {
  cap_flag_value_t value = CAP_CLEAR;
  return cap_get_flag(caps, cap, set, &value) == 0 && value == CAP_SET;
}

core::Error failed(const char* what) {
  return core::io_error(fmt::format("cannot drop capabilities: {}: {}", what, std::strerror(errno)));
}

}  // namespace

bool have_net_raw() {
  Caps caps(cap_get_proc());
  if (!caps) return false;
  if (flag_set(caps.get(), CAP_NET_RAW, CAP_EFFECTIVE)) return true;
  if (!flag_set(caps.get(), CAP_NET_RAW, CAP_PERMITTED)) return false;
  const cap_value_t raw = CAP_NET_RAW;
  return cap_set_flag(caps.get(), CAP_EFFECTIVE, 1, &raw, CAP_SET) == 0 && cap_set_proc(caps.get()) == 0;
}

core::Status drop_all_capabilities() {
  // Without KEEPCAPS a later setuid() cannot carry capabilities across.
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return failed("PR_SET_KEEPCAPS");

  Caps current(cap_get_proc());
  if (!current) return failed("cap_get_proc");
  // The bounding set limits what an exec can grant; emptying it needs
  // CAP_SETPCAP, so it is done first and only when that is held.
  if (flag_set(current.get(), CAP_SETPCAP, CAP_EFFECTIVE)) {
    const auto max = static_cast<cap_value_t>(cap_max_bits());
    for (cap_value_t cap = 0; cap < max; ++cap)
      if (cap_drop_bound(cap) != 0 && errno != EINVAL) return failed("cap_drop_bound");
  }
  // EINVAL: a kernel without ambient capabilities (before 4.3) has none to clear.
  if (cap_reset_ambient() != 0 && errno != EINVAL) return failed("cap_reset_ambient");

  Caps empty(cap_init());
  if (!empty) return failed("cap_init");
  if (cap_set_proc(empty.get()) != 0) return failed("cap_set_proc");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return failed("PR_SET_NO_NEW_PRIVS");

  Caps after(cap_get_proc());
  if (!after || cap_compare(after.get(), empty.get()) != 0)
    return core::Error{core::ErrorKind::internal, "capabilities are still set after dropping them"};
  return core::Ok{};
}

}  // namespace tcphs::io
