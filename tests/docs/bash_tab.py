#!/usr/bin/env python3
"""Presses <TAB> in a real interactive bash with bash-completion loaded.

  bash_tab.py COMPLETIONS_DIR LINE...

COMPLETIONS_DIR holds bash-completion/completions/tcphs, which
bash-completion then loads on first use as it would an installed one (it is
not sourced here). For each LINE, types it, presses <TAB> once, and reports
the line as readline left it and the candidates it listed, as JSON:
[{"typed": ..., "line": ..., "listed": [...]}, ...].
"""
import json
import os
import pty
import select
import signal
import sys
import time

PROMPT = "tab$ "


class Terminal:
    """Reads what bash writes to the pty, keeping what follows a marker."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b""

    def read_until(self, marker, timeout=5.0):
        deadline = time.monotonic() + timeout
        while marker not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SystemExit(f"bash_tab: no {marker!r} within {timeout} s; got {self.buf!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise SystemExit(f"bash_tab: bash exited; got {self.buf!r}")
                self.buf += chunk
        at = self.buf.index(marker) + len(marker)
        text, self.buf = self.buf[:at], self.buf[at:]
        return text.decode(errors="replace")


def listed(screen):
    """Candidates printed between the typed line and the redrawn prompt."""
    words = []
    for raw in screen.split("\r\n")[1:]:
        line = raw.replace("\r", "")
        if not line.strip() or PROMPT in line or line.startswith("LINE<"):
            continue
        words += line.split()
    return sorted(words)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 64
    env = dict(os.environ, PS1=PROMPT, PS2="", INPUTRC="/dev/null", TERM="dumb",
               BASH_COMPLETION_USER_DIR=os.path.join(argv[0], "bash-completion"), HISTFILE="/dev/null")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe("bash", ["bash", "--noprofile", "--norc", "-i"], env)
    results = []
    try:
        setup = (
            "source /usr/share/bash-completion/bash_completion; "
            "bind 'set show-all-if-ambiguous on'; bind 'set completion-query-items 0'; "
            "bind 'set page-completions off'; bind 'set bell-style none'; "
            "bind -x '\"\\C-t\": printf \"\\nLINE<%s>\\n\" \"$READLINE_LINE\"'; echo SET''UP-DONE\n"
        )
        os.write(fd, setup.encode())
        term = Terminal(fd)
        term.read_until(b"SETUP-DONE\r\n" + PROMPT.encode())
        for typed in argv[1:]:
            os.write(fd, typed.encode() + b"\t")
            os.write(fd, b"\x14")
            screen = term.read_until(b"\r\nLINE<")
            line = term.read_until(b">\r\n")[: -len(">\r\n")]
            results.append({"typed": typed, "line": line, "listed": listed(screen)})
            os.write(fd, b"\x15")  # C-u: an empty line for the next case
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
