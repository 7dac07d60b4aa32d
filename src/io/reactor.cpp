#include "tcphs/io/reactor.hpp"

#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "tcphs/io/loop_common.hpp"

namespace tcphs::io {

Reactor::Reactor()
    : epoll_(epoll_create1(EPOLL_CLOEXEC)), timer_(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
  setup_errno_ = epoll_.valid() && timer_.valid() && signals_.fd() >= 0 ? 0 : errno;
  if (setup_errno_ == 0 && (!watch(timer_.get()) || !watch(signals_.fd()))) setup_errno_ = errno;
}

core::Status Reactor::ready() const {
  if (setup_errno_ == 0) return core::Ok{};
  errno = setup_errno_;
  return sys_error("event loop set-up");
}

core::Status Reactor::watch(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return sys_error("epoll_ctl");
  return core::Ok{};
}

core::Result<LoopEnd> Reactor::run(const std::function<core::Result<Turn>()>& turn) {
  if (auto st = ready(); !st) return st.error();
  for (;;) {
    TCPHS_TRY(next, turn());
    if (next.done) return LoopEnd{0};
    arm_timer(timer_.get(), next.wake);
    epoll_event events[8];
    const int n = epoll_wait(epoll_.get(), events, 8, -1);
    if (n < 0 && errno != EINTR) return sys_error("epoll_wait");
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == signals_.fd()) {
        if (const int signal = signals_.take()) return LoopEnd{signal};
      } else if (events[i].data.fd == timer_.get()) {
        std::uint64_t ticks = 0;
        [[maybe_unused]] auto r = ::read(timer_.get(), &ticks, sizeof ticks);
      }
    }
  }
}

}  // namespace tcphs::io
