#include "tcphs/app/json_records.hpp"
#include "tcphs/app/reporter.hpp"

namespace tcphs::app {
namespace {

/// One object per line, flushed whole, so a reader never sees half a record.
class JsonReporter final : public ProbeReporter {
 public:
  explicit JsonReporter(std::FILE* out) : out_(out) {}
  void start(const TargetInfo&, std::size_t, const std::string&) override {}
  void probe(const TargetInfo& t, const core::ProbeResult& r) override { emit(probe_json(t, r)); }
  void summary(const TargetInfo& t, const TargetSummary& s) override { emit(summary_json(t, s)); }

 private:
  void emit(const nlohmann::json& j) {
    const std::string line = j.dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
  }
  std::FILE* out_;
};

}  // namespace

std::unique_ptr<ProbeReporter> make_json_reporter(std::FILE* out) { return std::make_unique<JsonReporter>(out); }

}  // namespace tcphs::app
