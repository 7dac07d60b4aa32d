#pragma once
/// Report files that other programs read while we write them (node_exporter's
/// textfile collector, a CI job's artifact upload).

#include <string>
#include <string_view>

#include "tcphs/core/result.hpp"

namespace tcphs::io {

/// Replaces `path` with `content` so that a reader sees the old file or the
/// new one, never a part of either: the content goes to a temporary file in
/// the same directory (rename(2) is atomic only within one file system),
/// which is flushed to disk and then renamed over `path`. The temporary
/// name starts with '.' and ends in random letters, so collectors that
/// read `*.prom` or `*.xml` skip it. The new file's mode is 0666 less the
/// umask, as for a file that open(2) creates. Errors are io errors naming
/// `path`; the temporary file is removed on any failure.
core::Status write_file_atomically(const std::string& path, std::string_view content);

/// A usage error when `path` cannot be a file we create: its directory does
/// not exist, is not a directory or is not writable by us (access(2)), or
/// `path` itself is a directory.
/// `option` names the option in the message. Checked before a run starts,
/// so a typo does not cost the whole run.
core::Status check_output_path(const std::string& path, std::string_view option);

}  // namespace tcphs::io
