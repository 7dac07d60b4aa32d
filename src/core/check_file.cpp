#include "tcphs/core/check_file.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "tcphs/core/duration.hpp"

namespace tcphs::core {
namespace {

constexpr std::string_view keys[] = {"count", "timeout", "retries", "mode", "name", "max_rtt"};
constexpr std::string_view key_list = "count, timeout, retries, mode, name, max_rtt";

/// The first control byte (tab aside) or the first byte that breaks UTF-8
/// (RFC 3629 §4: no overlong forms, no surrogates, nothing above U+10FFFF).
std::optional<std::string> text_problem(std::string_view line) {
  const auto* p = reinterpret_cast<const unsigned char*>(line.data());
  const std::size_t n = line.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return fmt::format("line contains the control byte 0x{:02x}; a check file is text", c);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) len = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4) len = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    bool ok = len != 0 && i + len <= n && p[i + 1] >= lo && p[i + 1] <= hi;
    for (std::size_t k = 2; ok && k < len; ++k) ok = p[i + k] >= 0x80 && p[i + k] <= 0xbf;
    if (!ok) return std::string("line is not valid UTF-8");
    i += len;
  }
  return std::nullopt;
}

/// The words of a line up to a comment: a word starting with `#`.
std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    i = line.find_first_not_of(" \t", i);
    if (i == std::string_view::npos || line[i] == '#') break;
    std::size_t end = line.find_first_of(" \t", i);
    if (end == std::string_view::npos) end = line.size();
    words.push_back(line.substr(i, end - i));
    i = end;
  }
  return words;
}

Result<std::uint32_t> whole_number(std::string_view key, std::string_view value, std::uint32_t low,
                                   std::uint32_t high) {
  std::uint32_t n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc{} || end != value.data() + value.size() || n < low || n > high)
    return usage_error(fmt::format("{} '{}' must be a whole number from {} to {}", key, value, low, high));
  return n;
}

/// Applies one `key=value` word to `spec`; `seen` catches repeated keys.
Status apply_key(std::string_view word, CheckSpec& spec, std::vector<std::string_view>& seen) {
  const std::size_t eq = word.find('=');
  if (eq == std::string_view::npos || eq == 0) return usage_error(fmt::format("'{}' is not key=value", word));
  const std::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
  if (std::find(std::begin(keys), std::end(keys), key) == std::end(keys))
    return usage_error(fmt::format("unknown key '{}' (keys: {})", key, key_list));
  for (auto k : seen)
    if (k == key) return usage_error(fmt::format("key '{}' is given twice", key));
  seen.push_back(key);
  if (value.empty()) return usage_error(fmt::format("key '{}' has no value", key));

  if (key == "count") {
    TCPHS_TRY(n, whole_number(key, value, 1, max_check_count));
    spec.count = n;
  } else if (key == "retries") {
    TCPHS_TRY(n, whole_number(key, value, 0, max_check_retries));
    spec.retries = n;
  } else if (key == "timeout" || key == "max_rtt") {
    TCPHS_TRY(d, parse_duration(value, key));
    (key == "timeout" ? spec.timeout : spec.max_rtt) = d;
  } else if (key == "mode") {
    if (value == "auto") spec.mode = CheckMode::auto_;
    else if (value == "raw") spec.mode = CheckMode::raw;
    else if (value == "connect") spec.mode = CheckMode::connect;
    else return usage_error(fmt::format("mode '{}' must be auto, raw or connect", value));
  } else {
    spec.name = std::string(value);
  }
  return Ok{};
}

Result<CheckSpec> parse_line(std::string_view line) {
  if (line.size() > max_check_line_bytes)
    return usage_error(fmt::format("line is longer than {} bytes", max_check_line_bytes));
  if (auto problem = text_problem(line)) return usage_error(*problem);
  const auto words = words_of(line);
  CheckSpec spec;
  TCPHS_TRY(target, parse_target(words[0]));
  spec.target = std::move(target);
  if (words.size() < 2)
    return usage_error(fmt::format("expected outcome missing after '{}' (e.g. open or refused,timeout)", words[0]));
  if (words[1].find('=') != std::string_view::npos)
    return usage_error(fmt::format("expected outcome missing before '{}' (e.g. open or refused,timeout)", words[1]));
  TCPHS_TRY(expect, parse_outcome_list(words[1]));
  spec.expect = std::move(expect);
  std::vector<std::string_view> seen;
  for (std::size_t i = 2; i < words.size(); ++i)
    if (auto st = apply_key(words[i], spec, seen); !st) return st.error();
  if (spec.name.empty()) spec.name = spec.target.text;
  return spec;
}

bool is_blank(std::string_view line) {
  // Control bytes and bad UTF-8 make a line bad even inside a comment.
  return words_of(line).empty() && line.size() <= max_check_line_bytes && !text_problem(line);
}

}  // namespace

CheckFile parse_check_file(std::string_view text) {
  CheckFile file;
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);
  // A NUL byte means binary data, not a check file with bad lines: one error.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n');
    file.errors.push_back({0, fmt::format("binary data (a NUL byte on line {}), not a check file", line)});
    return file;
  }
  std::map<std::string, std::size_t, std::less<>> names;  ///< name -> line
  std::size_t number = 0;
  while (!text.empty() && file.errors.size() < max_check_errors) {
    ++number;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (is_blank(line)) continue;
    auto spec = parse_line(line);
    if (!spec) {
      file.errors.push_back({number, spec.error().message});
      continue;
    }
    if (auto [at, fresh] = names.try_emplace(spec->name, number); !fresh) {
      file.errors.push_back({number, fmt::format("name '{}' is already used by line {} (add name= to tell "
                                                 "the checks apart)", spec->name, at->second)});
      continue;
    }
    spec->line = number;
    file.checks.push_back(std::move(*spec));
  }
  if (file.errors.size() >= max_check_errors && !text.empty())
    file.errors.push_back({0, fmt::format("more than {} bad lines; the rest was not read", max_check_errors)});
  if (file.errors.empty() && file.checks.empty())
    file.errors.push_back({0, "no checks: every line is blank or a comment"});
  return file;
}

Result<std::vector<CheckSpec>> checks_from_targets(std::span<const std::string> targets, std::string_view expect) {
  TCPHS_TRY(outcomes, parse_outcome_list(expect));
  std::vector<CheckSpec> checks;
  for (const auto& text : targets) {
    TCPHS_TRY(target, parse_target(text));
    for (const auto& c : checks)
      if (c.name == target.text) return usage_error(fmt::format("target '{}' is given twice", text));
    CheckSpec spec;
    spec.name = target.text;
    spec.target = std::move(target);
    spec.expect = outcomes;
    checks.push_back(std::move(spec));
  }
  if (checks.empty()) return usage_error("no targets to check");
  return checks;
}

std::string format_check_error(std::string_view file, const CheckFileError& error) {
  if (error.line == 0) return fmt::format("{}: {}", file, error.message);
  return fmt::format("{}:{}: {}", file, error.line, error.message);
}

}  // namespace tcphs::core
