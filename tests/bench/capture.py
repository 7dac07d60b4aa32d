"""tcpdump in the client's namespace with nanosecond stamps: the capture
every tool's RTT is compared with.

Where the truth taps the traffic matters at the microsecond level. An
outgoing packet is stamped once for every packet socket, but a reply that
carries the sender's TCP delivery time (a forwarded SYN-ACK does) is
stamped by each packet socket in turn, in the kernel's delivery order:
sockets on every interface (`-i any`) first, then those bound to the
device, newest first. Whoever comes later sees the packet after the
earlier sockets' work, which includes waking their reader when it is in
immediate mode. Measured over 60 probes with 10 ms each way:

  truth on c0, immediate       tcphs - truth  -4 µs (the truth waits for tcphs's wake-up)
  truth on any, immediate      tcphs - truth  +4 µs (tcphs waits for tcpdump's)
  truth on any, not immediate  tcphs - truth  +2.5 µs median, 3.5 µs p95

So the default is `any` without immediate mode: the truth sees each reply
first and does not wake per packet, and what remains of a tool's error
includes, not hides, the time the kernel spends between the two sockets.
"""
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
