#pragma once

namespace tcphs::app {

/// The whole program: parses the command line, runs one command, and maps
/// its result to an exit code. The only place that catches and exits.
int main(int argc, char** argv);

}  // namespace tcphs::app
