#include "tcphs/io/engine_loop.hpp"

#include <doctest/doctest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "support/packets.hpp"
#include "tcphs/io/system.hpp"

using namespace tcphs;
using namespace std::chrono_literals;

namespace {

const core::IpAddress kLocal = core::IpAddress::v4(10, 9, 0, 1);
const core::IpAddress kRemote = core::IpAddress::v4(10, 9, 0, 2);

/// A capture fed by the test: frames queue up and an eventfd says so.
class FakeCapture final : public io::Capture {
 public:
  FakeCapture() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~FakeCapture() override { ::close(fd_); }
  int fd() const override { return fd_; }
  /// `visible` models a frame the kernel has not handed over yet: drain()
  /// keeps it back until that instant (the eventfd is written at once).
  void push(std::vector<std::uint8_t> bytes, std::int64_t ns, std::optional<core::Instant> visible = {}) {
    frames_.push_back({std::move(bytes), ns, visible});
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(fd_, &one, sizeof one);
  }
  core::Result<std::size_t> drain(const std::function<void(const io::CapturedFrame&)>& sink) override {
    std::uint64_t count = 0;
    [[maybe_unused]] auto n = ::read(fd_, &count, sizeof count);
    std::size_t drained = 0;
    const auto t = io::now();
    while (!frames_.empty() && (!frames_.front().visible || *frames_.front().visible <= t)) {
      auto f = std::move(frames_.front());
      frames_.pop_front();
      sink(io::CapturedFrame{f.bytes, core::Stamp{f.ns, core::StampSource::capture}});
      ++drained;
    }
    return drained;
  }
  io::CaptureStats stats() const override { return {}; }

 private:
  int fd_;
  struct Frame {
    std::vector<std::uint8_t> bytes;
    std::int64_t ns;
    std::optional<core::Instant> visible;
  };
  std::deque<Frame> frames_;
};

/// A network: each SYN shows up in the capture (stamped as sent at
/// `clock`), and `answer` decides whether a SYN-ACK follows 25 µs later.
class FakeNetwork final : public io::PacketSender {
 public:
  FakeNetwork(FakeCapture& capture, bool answer) : capture_(capture), answer_(answer) {}
  core::Result<io::SendReport> send(std::span<const io::OutPacket> packets) override {
    batches_.push_back(packets.size());
    if (accept_ && packets.size() > *accept_) packets = packets.first(*accept_);
    io::SendReport report;
    for (const auto& p : packets) {
      std::vector<std::uint8_t> syn(p.bytes.begin(), p.bytes.end());
      const auto* b = syn.data() + 20;
      const std::uint16_t sport = static_cast<std::uint16_t>(b[0] << 8 | b[1]);
      if (sport == refuse_sport_) {
        report.refused = core::Error{core::ErrorKind::local_firewall, "refused by a local firewall"};
        return report;
      }
      ++sent_;
      ++report.sent;
      const std::int64_t t = 1'000'000 * sent_;
      capture_.push(syn, t);
      if (!answer_) continue;
      const std::uint32_t seq = std::uint32_t{b[4]} << 24 | std::uint32_t{b[5]} << 16 | std::uint32_t{b[6]} << 8 | b[7];
      // late_: the SYN-ACK reaches the capture just as the RTO runs out.
      std::optional<core::Instant> visible;
      if (late_) visible = late_->next_deadline();
      capture_.push(test::tcp_packet(kRemote, kLocal, 80, sport, 777, seq + 1, 0x12), t + 25'000, visible);
    }
    return report;
  }
  int sent_ = 0;
  std::vector<std::size_t> batches_;  ///< packets per send() call
  /// Set: each send() takes at most this many, as a sender whose retries of
  /// EAGAIN/ENOBUFS ran out reports.
  std::optional<std::size_t> accept_;
  const core::Engine* late_ = nullptr;
  /// A SYN from this port is refused, as a local firewall's EPERM is.
  std::uint16_t refuse_sport_ = 0;

 private:
  FakeCapture& capture_;
  bool answer_;
};

core::ProbeRequest request(std::uint16_t sport, std::uint32_t number) {
  core::ProbeRequest r;
  r.number = number;
  r.syn.flow = core::FlowKey{kLocal, kRemote, sport, 80};
  r.due = io::now();
  return r;
}

/// Probes 1..count, each from its own port (61001, 61002...).
void add_probes(core::Engine& engine, std::uint32_t count) {
  for (std::uint32_t n = 1; n <= count; ++n) engine.add(request(static_cast<std::uint16_t>(61000 + n), n));
}

core::CookieKey key() { return core::CookieKey(std::array<std::uint8_t, 16>{1, 2, 3}); }

}  // namespace

TEST_CASE("io::run_engine delivers answers timed by the capture stamps") {
  FakeCapture capture;
  FakeNetwork net(capture, true);
  core::Engine engine({}, key());
  add_probes(engine, 3);
  io::Capture* caps[] = {&capture};
  std::vector<core::ProbeResult> results;
  auto end = io::run_engine(engine, io::LoopIo{caps, &net, nullptr},
                            io::LoopCallbacks{[&](const core::ProbeResult& r) { results.push_back(r); }, {}});
  REQUIRE(end.ok());
  CHECK(end->signal == 0);
  REQUIRE(results.size() == 3);
  for (const auto& r : results) {
    CHECK(r.outcome == core::Outcome::open);
    CHECK(r.rtt_ns == 25'000);  // the fake stamps, never the clock
    CHECK(r.rtt_source == core::StampSource::capture);
  }
  CHECK(net.sent_ == 3);  // no retransmission
  CHECK(net.batches_ == std::vector<std::size_t>{3});  // the three due SYNs in one send (sendmmsg)
}

TEST_CASE("io::run_engine batches due SYNs up to LoopIo::batch per send") {
  FakeCapture capture;
  FakeNetwork net(capture, true);
  core::Engine engine({}, key());
  add_probes(engine, 5);
  io::Capture* caps[] = {&capture};
  std::size_t results = 0;
  io::LoopIo lio{caps, &net, nullptr};
  lio.batch = 2;
  auto end = io::run_engine(engine, lio, io::LoopCallbacks{[&](const core::ProbeResult&) { ++results; }, {}});
  REQUIRE(end.ok());
  CHECK(results == 5);
  CHECK(net.batches_ == std::vector<std::size_t>{2, 2, 1});
}

TEST_CASE("io::run_engine reads before it expires: a reply that raced its RTO counts") {
  FakeCapture capture;
  FakeNetwork net(capture, true);
  core::EngineConfig cfg;
  cfg.rto = 20ms;
  cfg.retries = 0;
  core::Engine engine(cfg, key());
  // The SYN-ACK becomes readable at the RTO's deadline: the wake for the
  // timer finds both due, and only reading first gives open.
  net.late_ = &engine;
  engine.add(request(61000, 1));
  io::Capture* caps[] = {&capture};
  std::vector<core::ProbeResult> results;
  auto end = io::run_engine(engine, io::LoopIo{caps, &net, nullptr},
                            io::LoopCallbacks{[&](const core::ProbeResult& r) { results.push_back(r); }, {}});
  REQUIRE(end.ok());
  REQUIRE(results.size() == 1);
  CHECK(results[0].outcome == core::Outcome::open);  // expiring first would give timeout
  CHECK(results[0].rtt_ns == 25'000);
  CHECK(net.sent_ == 1);
}

TEST_CASE("io::run_engine retransmits on its timer and ends in timeout") {
  FakeCapture capture;
  FakeNetwork net(capture, false);
  core::EngineConfig cfg;
  cfg.rto = 2ms;
  cfg.retries = 2;
  core::Engine engine(cfg, key());
  engine.add(request(61000, 1));
  io::Capture* caps[] = {&capture};
  std::vector<core::ProbeResult> results;
  const auto start = io::now();
  auto end = io::run_engine(engine, io::LoopIo{caps, &net, nullptr},
                            io::LoopCallbacks{[&](const core::ProbeResult& r) { results.push_back(r); }, {}});
  const auto elapsed = io::now() - start;
  REQUIRE(end.ok());
  REQUIRE(results.size() == 1);
  CHECK(results[0].outcome == core::Outcome::timeout);
  CHECK(results[0].attempt == 3);
  CHECK(net.sent_ == 3);
  CHECK(elapsed >= 14ms);  // 2 + 4 + 8 ms of RTO: the loop waited for its timer
}

TEST_CASE("io::run_engine reports SYNs the sender could not send, never counts them as sent") {
  FakeCapture capture;
  FakeNetwork net(capture, true);
  net.accept_ = 1;  // the queue stays full after the first SYN of a batch
  core::Engine engine({}, key());
  add_probes(engine, 3);
  io::Capture* caps[] = {&capture};
  std::size_t results = 0;
  auto end = io::run_engine(engine, io::LoopIo{caps, &net, nullptr},
                            io::LoopCallbacks{[&](const core::ProbeResult&) { ++results; }, {}});
  REQUIRE_FALSE(end.ok());
  CHECK(end.error().kind == core::ErrorKind::io);
  CHECK(end.error().message ==
        "sending to 10.9.0.2 stalled: the socket or device queue stayed full (EAGAIN/ENOBUFS); 2 of 3 SYNs not sent");
  CHECK(results == 0);  // no timeout stands in for a SYN that never left
}

TEST_CASE("io::run_engine ends a refused SYN's probe as connect() would, and goes on, when the caller takes refusals") {
  FakeCapture capture;
  FakeNetwork net(capture, true);
  net.refuse_sport_ = 61002;
  core::Engine engine({}, key());
  add_probes(engine, 3);
  io::Capture* caps[] = {&capture};
  std::vector<core::ProbeResult> results;
  std::vector<std::string> refusals;
  io::LoopCallbacks cb{[&](const core::ProbeResult& r) { results.push_back(r); }, {},
                       [&](const core::Send& s, const core::Error& why) {
                         refusals.push_back(fmt::format("{} {}", s.attempt, why.message));
                       }};
  auto end = io::run_engine(engine, io::LoopIo{caps, &net, nullptr}, cb);
  REQUIRE(end.ok());
  CHECK(refusals == std::vector<std::string>{"1 refused by a local firewall"});
  REQUIRE(results.size() == 3);
  std::sort(results.begin(), results.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
  CHECK(results[0].outcome == core::Outcome::open);
  CHECK(results[1].outcome == core::Outcome::filtered);  // EPERM, as connect() reports it
  CHECK(results[1].attempt == 0);                          // no SYN of it left
  CHECK_FALSE(results[1].rtt_ns);
  CHECK(results[2].outcome == core::Outcome::open);  // the SYN after the refused one still went
  CHECK(net.sent_ == 2);
}

TEST_CASE("io::run_engine ends the run on a refused SYN when the caller does not take refusals") {
  FakeCapture capture;
  FakeNetwork net(capture, true);
  net.refuse_sport_ = 61002;
  core::Engine engine({}, key());
  add_probes(engine, 3);
  io::Capture* caps[] = {&capture};
  auto end = io::run_engine(engine, io::LoopIo{caps, &net, nullptr},
                            io::LoopCallbacks{[](const core::ProbeResult&) {}, {}});
  REQUIRE_FALSE(end.ok());
  CHECK(end.error().kind == core::ErrorKind::local_firewall);
  CHECK(net.sent_ == 1);
}
