#include "tcphs/io/reverse_name.hpp"

#include <netdb.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

#include "tcphs/io/sockaddr.hpp"

namespace tcphs::io {
namespace {

/// Shared by the caller and every lookup thread, so a thread that outlives
/// the caller's wait still writes into live memory.
struct Lookups {
  std::mutex mutex;
  std::condition_variable done_cv;
  std::vector<std::optional<std::string>> names;
  std::size_t done = 0;
};

std::optional<std::string> lookup(const core::IpAddress& addr) {
  sockaddr_storage ss{};
  const socklen_t len = to_sockaddr(addr, 0, ss);
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&ss), len, host, sizeof host, nullptr, 0, NI_NAMEREQD) != 0)
    return std::nullopt;
  return std::string(host);
}

}  // namespace

std::vector<std::optional<std::string>> reverse_names(std::span<const core::IpAddress> addrs, core::Duration budget) {
  auto state = std::make_shared<Lookups>();
  state->names.resize(addrs.size());
  const auto deadline = std::chrono::steady_clock::now() + budget;
  for (std::size_t i = 0; i < addrs.size(); ++i) {
    try {
      std::thread([state, i, addr = addrs[i]] {
        auto name = lookup(addr);
        std::lock_guard lock(state->mutex);
        state->names[i] = std::move(name);
        ++state->done;
        state->done_cv.notify_all();
      }).detach();
    } catch (const std::system_error&) {
      // No thread to spare: this address goes without a name.
      std::lock_guard lock(state->mutex);
      ++state->done;
    }
  }
  std::unique_lock lock(state->mutex);
  state->done_cv.wait_until(lock, deadline, [&] { return state->done == addrs.size(); });
  return state->names;
}

}  // namespace tcphs::io
