#include "tcphs/io/atomic_file.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace tcphs;

namespace {

/// A fresh directory under $TMPDIR, removed with its files at scope exit.
struct TempDir {
  std::string path;
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/tcphs-atomic-XXXXXX";
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    for (const auto& name : entries()) ::unlink((path + "/" + name).c_str());
    ::rmdir(path.c_str());
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    if (DIR* d = opendir(path.c_str())) {
      while (dirent* e = readdir(d))
        if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") out.push_back(e->d_name);
      closedir(d);
    }
    return out;
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ino_t inode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("io::write_file_atomically replaces the file by rename and leaves nothing behind") {
  TempDir dir;
  const std::string path = dir.path + "/tcphs.prom";
  REQUIRE(io::write_file_atomically(path, "first\n"));
  CHECK(slurp(path) == "first\n");
  const auto before = inode(path);

  // A reader holding the old file keeps reading the old content.
  std::ifstream reader(path);
  REQUIRE(io::write_file_atomically(path, "second\n"));
  CHECK(slurp(path) == "second\n");
  CHECK(inode(path) != before);
  std::string old;
  std::getline(reader, old);
  CHECK(old == "first");
  CHECK(dir.entries() == std::vector<std::string>{"tcphs.prom"});

  const mode_t mask = ::umask(022);
  REQUIRE(io::write_file_atomically(path, ""));
  ::umask(mask);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  CHECK(st.st_size == 0);
}

TEST_CASE("io::write_file_atomically reports a missing directory as an io error") {
  TempDir dir;
  const auto st = io::write_file_atomically(dir.path + "/nope/report.xml", "x");
  REQUIRE_FALSE(st);
  CHECK(st.error().kind == core::ErrorKind::io);
  CHECK(st.error().message.rfind("cannot write " + dir.path + "/nope/report.xml: creating a temporary file: ", 0) == 0);
  CHECK(dir.entries().empty());
}

TEST_CASE("io::check_output_path") {
  TempDir dir;
  CHECK(io::check_output_path(dir.path + "/report.xml", "--junit"));
  CHECK(io::check_output_path("report.xml", "--junit"));  // the current directory
  auto missing = io::check_output_path(dir.path + "/no/report.xml", "--junit");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == core::ErrorKind::usage);
  CHECK(missing.error().message ==
        "--junit " + dir.path + "/no/report.xml: directory '" + dir.path + "/no' does not exist");
  auto is_dir = io::check_output_path(dir.path, "--openmetrics");
  REQUIRE_FALSE(is_dir);
  CHECK(is_dir.error().message == "--openmetrics " + dir.path + ": is a directory, not a file name");
  CHECK_FALSE(io::check_output_path(dir.path + "/", "--junit"));
}
