#include "tcphs/io/stop_event.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "tcphs/io/system.hpp"

namespace tcphs::io {

bool wait_readable_until(int fd, core::Instant deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now()).count();
    pollfd p{fd, POLLIN, 0};
    const int n = poll(&p, 1, static_cast<int>(std::clamp<long long>(left, 0, 60'000)));
    if (n == 1) return true;
    if (n == 0 && left <= 60'000) return false;  // poll(2) waited the whole time left
  }
}

StopEvent::StopEvent() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

void StopEvent::raise() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto r = ::write(fd_.get(), &one, sizeof one);
}

bool StopEvent::raised() const {
  pollfd p{fd_.get(), POLLIN, 0};
  return poll(&p, 1, 0) == 1;
}

bool StopEvent::wait_until(core::Instant deadline) const { return wait_readable_until(fd_.get(), deadline); }

SignalBlock::SignalBlock() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, &old_);
  fd_ = UniqueFd(signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK));
}

SignalBlock::~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

int SignalBlock::take() const {
  signalfd_siginfo info{};
  if (::read(fd_.get(), &info, sizeof info) != sizeof info) return 0;
  return static_cast<int>(info.ssi_signo);
}

int SignalBlock::wait(const StopEvent& done) const {
  for (;;) {
    pollfd p[2] = {{done.fd(), POLLIN, 0}, {fd_.get(), POLLIN, 0}};
    if (poll(p, 2, -1) < 0) continue;  // EINTR
    if (p[0].revents & POLLIN) return 0;
    if (p[1].revents & POLLIN)
      if (const int sig = take()) return sig;
  }
}

}  // namespace tcphs::io
