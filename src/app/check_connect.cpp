#include <algorithm>

#include "tcphs/app/check_run.hpp"
#include "tcphs/app/probe_run.hpp"
#include "tcphs/io/connect_prober.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {
namespace {

/// The budget of one connect(): -W, or every RTO the retries would wait.
core::Duration budget(const core::EngineConfig& t) {
  if (t.total_timeout.count() > 0) return t.total_timeout;
  core::Duration total{}, rto = t.rto;
  for (std::uint32_t i = 0; i <= t.retries; ++i, rto *= 2) total += rto;
  return total;
}

}  // namespace

void run_connect_checks(std::span<CheckRow* const> rows, std::size_t parallel, const CheckRunConfig& config,
                        const io::StopEvent& stop) {
  std::optional<core::IpAddress> source;
  if (config.source) source = core::IpAddress::parse(*config.source);
  std::uint32_t rounds = 0;
  for (const CheckRow* row : rows) rounds = std::max(rounds, row->count);
  const core::Instant start = io::now();
  for (std::uint32_t n = 1; n <= rounds; ++n) {
    const core::Instant round_start = io::now();
    std::vector<CheckRow*> in_round;
    std::vector<io::ConnectRequest> requests;
    for (CheckRow* row : rows) {
      if (row->count < n || row->error) continue;
      io::ConnectRequest req;
      req.dst = row->resolved->address;
      req.port = row->resolved->port;
      req.source = source;
      if (config.source_port) req.source_port = *config.source_port;
      req.interface = config.interface;
      req.ttl = config.syn.ttl;
      req.timeout = budget(row->timing);
      requests.push_back(req);
      in_round.push_back(row);
    }
    const auto results = io::run_connects(requests, std::max<std::size_t>(parallel, 1), stop.fd());
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].interrupted) continue;
      CheckRow& row = *in_round[i];
      row.elapsed = (round_start - start) + results[i].elapsed;
      if (results[i].error) {
        row.error = results[i].error;
        continue;
      }
      auto r = connect_probe_result(results[i], *row.resolved, 0, n);
      if (!r) row.error = r.error();
      else row.results.push_back(*r);
    }
    if (stop.raised() || (n < rounds && stop.wait_until(round_start + config.interval))) return;
  }
}

}  // namespace tcphs::app
