#pragma once
/// The NDJSON records of SPEC §4, schema 1, as nlohmann::json values, so
/// every command builds its records from the same pieces.

#include <nlohmann/json.hpp>

#include "tcphs/app/reporter.hpp"

namespace tcphs::app {

inline constexpr int json_schema = 1;

nlohmann::json options_json(const core::TcpOptions& o);
nlohmann::json probe_json(const TargetInfo& target, const core::ProbeResult& r);
nlohmann::json summary_json(const TargetInfo& target, const TargetSummary& s);
nlohmann::json error_json(const std::string& message);

}  // namespace tcphs::app
