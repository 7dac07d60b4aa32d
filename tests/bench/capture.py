"""tcpdump on the client's interface, nanosecond stamps, immediate mode: the
capture every tool's RTT is compared with."""
import os
import re
import signal
import subprocess
import time


class Capture:
    """Runs tcpdump in namespace `ns` on `interface` while the block runs.

    `dropped` is tcpdump's own count of packets the kernel dropped before it
    read them; a non-zero value makes the run's truth incomplete.
    """

    def __init__(self, ns, interface, path, bpf, immediate=True):
        self.ns, self.interface, self.path, self.bpf = ns, interface, path, bpf
        self.immediate = immediate
        self.dropped = None
        self._proc = None

    def __enter__(self):
        log = open(self.path + ".log", "w")
        # -B: a 32 MiB ring, so a burst at the highest rates is not dropped.
        self._proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "tcpdump", "-i", self.interface, "-U",
             *(["--immediate-mode"] if self.immediate else []), "-n", "--time-stamp-precision=nano", "-B", "32768", "-w", self.path, self.bpf],
            stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if "listening on" in self._log():
                return self
            if self._proc.poll() is not None:
                break
            time.sleep(0.02)
        self._stop()
        raise RuntimeError(f"tcpdump did not start: {self._log().strip()}")

    def __exit__(self, *exc):
        self._stop()
        m = re.search(r"(\d+) packets? dropped by kernel", self._log())
        self.dropped = int(m.group(1)) if m else None
        return False

    def _log(self):
        try:
            with open(self.path + ".log") as f:
                return f.read()
        except OSError:
            return ""

    def _stop(self):
        if self._proc and self._proc.poll() is None:
            # Lets the last packets reach the file: without immediate mode
            # they sit in the ring until its block times out (1 s in tcpdump).
            time.sleep(0.05 if self.immediate else 1.2)
            os.kill(self._proc.pid, signal.SIGINT)
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
