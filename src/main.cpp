#include "tcphs/app/cli.hpp"

int main(int argc, char** argv) { return tcphs::app::main(argc, argv); }
