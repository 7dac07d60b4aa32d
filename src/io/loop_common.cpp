#include "tcphs/io/loop_common.hpp"

#include <sys/timerfd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace tcphs::io {

core::Error sys_error(const char* what) {
  const int err = errno;
  return core::io_error(fmt::format("{}: {}", what, std::strerror(err)));
}

core::Stamp user_stamp() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return {ts.tv_sec * 1'000'000'000LL + ts.tv_nsec, core::StampSource::user};
}

void arm_timer(int tfd, std::optional<core::Instant> at) {
  itimerspec spec{};
  if (at) {
    auto ns = at->time_since_epoch().count();
    if (ns <= 0) ns = 1;  // 0 would disarm
    spec.it_value.tv_sec = ns / 1'000'000'000;
    spec.it_value.tv_nsec = ns % 1'000'000'000;
  }
  timerfd_settime(tfd, TFD_TIMER_ABSTIME, &spec, nullptr);
}

}  // namespace tcphs::io
