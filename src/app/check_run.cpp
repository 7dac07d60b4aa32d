#include "tcphs/app/check_run.hpp"

#include <algorithm>
#include <thread>

#include "tcphs/app/raw_session.hpp"
#include "tcphs/io/route.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {
namespace {

/// Slots for raw and connect checks: in proportion to their numbers, at
/// least one each when it has checks, `parallel` in all when it is >= 2.
std::pair<std::size_t, std::size_t> shares(std::size_t raw, std::size_t connect, std::size_t parallel) {
  parallel = std::max<std::size_t>(parallel, 1);
  if (raw == 0 || connect == 0) return {parallel, parallel};
  std::size_t for_raw = parallel * raw / (raw + connect);
  for_raw = std::clamp<std::size_t>(for_raw, 1, std::max<std::size_t>(parallel - 1, 1));
  return {for_raw, std::max<std::size_t>(parallel - for_raw, 1)};
}

/// Results for a check that cannot leave this host: no SYN, and the outcome
/// connect() would report for the same missing route.
void no_route(CheckRow& row, const core::Error& why) {
  for (std::uint32_t n = 1; n <= row.count; ++n) {
    core::ProbeResult r;
    r.number = n;
    r.attempt = 0;
    r.outcome = core::Outcome::unreachable;
    r.flow.remote = row.resolved->address;
    r.flow.remote_port = row.resolved->port;
    row.results.push_back(r);
  }
  row.note = why.message + " (local routing table; no SYN sent)";
}

class RawChecks {
 public:
  RawChecks(std::vector<CheckRow*> rows, std::size_t slots, const CheckRunConfig& config)
      : rows_(std::move(rows)), slots_(slots), config_(config), left_(rows_.size()), started_(rows_.size()) {}

  /// Opens the session (which drops every capability), then calls
  /// `opened` (which may start threads) and runs every check to the end.
  core::Result<int> run(const std::function<void()>& opened) {
    if (auto routed = route_all(); !routed) return routed.error();
    if (rows_.empty()) {
      opened();
      return 0;
    }
    RawSessionConfig cfg{config_.source, config_.interface, true, 4 << 20, config_.verbose, config_.notice};
    TCPHS_TRY(session, RawSession::open(destinations_, cfg));
    session_ = session.get();
    opened();
    core::Engine engine({}, session->key());  // every check brings its own timing
    engine_ = &engine;
    admit();
    // A SYN the kernel refuses (a local firewall, the route gone) fails only
    // its own check, with connect()'s outcome for it; the others go on.
    io::LoopCallbacks callbacks{[&](const core::ProbeResult& r) { on_result(r); }, nullptr,
                                [&](const core::Send& s, const core::Error& why) {
                                  CheckRow& row = *rows_[s.target_index];
                                  if (row.note.empty()) row.note = why.message;
                                }};
    return session->run(engine, callbacks);
  }

 private:
  /// Rows whose address has no route get their result now and leave the
  /// plan; the others keep the index of their destination.
  core::Status route_all() {
    std::optional<core::IpAddress> source;
    if (config_.source) source = core::IpAddress::parse(*config_.source);
    std::vector<CheckRow*> kept;
    for (CheckRow* row : rows_) {
      const auto& addr = row->resolved->address;
      auto known = std::find(destinations_.begin(), destinations_.end(), addr);
      if (known == destinations_.end()) {
        if (auto unroutable = std::find(unroutable_.begin(), unroutable_.end(), addr); unroutable != unroutable_.end()) {
          no_route(*row, unroutable_why_[unroutable - unroutable_.begin()]);
          continue;
        }
        auto route = io::lookup_route(addr, source, config_.interface);
        if (!route && route.error().kind == core::ErrorKind::no_route) {
          unroutable_.push_back(addr);
          unroutable_why_.push_back(route.error());
          no_route(*row, route.error());
          continue;
        }
        if (!route) return route.error();
        destinations_.push_back(addr);
        known = destinations_.end() - 1;
      }
      destination_of_.push_back(static_cast<std::size_t>(known - destinations_.begin()));
      kept.push_back(row);
    }
    rows_ = std::move(kept);
    left_.resize(rows_.size());
    started_.resize(rows_.size());
    return core::Ok{};
  }

  /// Fills free slots with the next checks, in file order.
  void admit() {
    const core::Instant now = io::now();
    while (in_flight_ < slots_ && next_ < rows_.size()) {
      const std::size_t i = next_++;
      const CheckRow& row = *rows_[i];
      const std::size_t d = destination_of_[i];
      core::SynSpec syn = config_.syn;
      syn.flow.local = session_->route(d).source;
      syn.flow.remote = row.resolved->address;
      syn.flow.remote_port = row.resolved->port;
      if (config_.default_mss && syn.options.mss) syn.options.mss = session_->default_mss(d);
      for (std::uint32_t n = 1; n <= row.count; ++n) {
        syn.flow.local_port = config_.source_port ? *config_.source_port : session_->ports().next();
        engine_->add(core::ProbeRequest{i, n, syn, now + config_.interval * (n - 1)}, row.timing);
      }
      left_[i] = row.count;
      started_[i] = now;
      ++in_flight_;
    }
  }

  void on_result(const core::ProbeResult& r) {
    CheckRow& row = *rows_[r.target_index];
    auto at = std::upper_bound(row.results.begin(), row.results.end(), r,
                               [](const auto& a, const auto& b) { return a.number < b.number; });
    row.results.insert(at, r);
    if (--left_[r.target_index] > 0) return;
    row.elapsed = io::now() - started_[r.target_index];
    --in_flight_;
    admit();  // the event loop sends what this adds on its next pass
  }

  std::vector<CheckRow*> rows_;
  std::size_t slots_;
  const CheckRunConfig& config_;
  std::vector<std::uint32_t> left_;   ///< probes without a result, per check
  std::vector<core::Instant> started_;
  std::vector<core::IpAddress> destinations_;  ///< unique, in first-use order: the session's routes
  std::vector<std::size_t> destination_of_;    ///< per row
  std::vector<core::IpAddress> unroutable_;
  std::vector<core::Error> unroutable_why_;
  RawSession* session_ = nullptr;
  core::Engine* engine_ = nullptr;
  std::size_t next_ = 0, in_flight_ = 0;
};

}  // namespace

core::Result<int> run_checks(std::vector<CheckRow>& rows, const CheckRunConfig& config) {
  if (config.source && !core::IpAddress::parse(*config.source))
    return core::usage_error("--source: '" + *config.source + "' is not a numeric IP address");
  std::vector<CheckRow*> raw, connect;
  for (auto& row : rows) {
    if (!row.resolved || row.error) continue;
    (row.mode == core::ProbeMode::raw ? raw : connect).push_back(&row);
  }
  const auto [raw_slots, connect_slots] = shares(raw.size(), connect.size(), config.parallel);
  // Blocked before the worker starts, which inherits the block: a signal
  // then waits for the raw loop's signalfd or for signals.wait(), instead
  // of killing the process in the worker.
  io::SignalBlock signals;
  io::StopEvent stop, connects_done;
  std::thread connects;
  auto start_connects = [&] {
    // After the raw session has dropped its capabilities: they are per
    // thread, and a thread started before would keep them.
    if (connect.empty()) return;
    connects = std::thread([&] {
      run_connect_checks(connect, connect_slots, config, stop);
      connects_done.raise();
    });
  };
  RawChecks raw_checks(raw, raw_slots, config);
  auto end = raw.empty() ? core::Result<int>(0) : raw_checks.run(start_connects);
  if (raw.empty()) start_connects();
  if (connects.joinable()) {
    if (end && *end == 0) end = signals.wait(connects_done);
    stop.raise();  // a no-op for a worker that has finished
    connects.join();
  }
  return end;
}

}  // namespace tcphs::app
