"""A slow link between two network namespaces: a user-space forwarder between two TUN devices.

This kernel (and CI's) has no ``sch_netem``, so delay and jitter are made here: the
process joins each namespace in turn (``setns``) to open its TUN device, then copies
every IP packet from one device to the other after ``delay`` ± ``jitter``
milliseconds (uniform, per packet, each direction). Loss is not made here: the lab
drops packets with nftables on each side's input, so a sender never sees EPERM.

    python scripts/delaylink.py NS_A:DEV_A NS_B:DEV_B

Reads ``DELAY_MS JITTER_MS`` lines on stdin (the lab changes the link while it runs);
prints ``ready`` once both devices are open; exits when stdin closes.
The TUN devices are persistent (``ip tuntap add``), made by ``start`` (the labs' side of this
module) and removed with the lab's namespaces.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import heapq
import os
import random
import select
import selectors
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
MAX_QUEUED = 20_000
"""Packets in flight at most; beyond that the link drops (a real link's queue is finite too)."""


def _enter(namespace: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{namespace}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns {namespace}: {os.strerror(err)}")
    finally:
        os.close(fd)


def open_tun(namespace: str, device: str) -> int:
    """Open the persistent TUN ``device`` inside ``namespace``; the fd stays bound to it."""
    _enter(namespace)
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", device.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def forward(a: int, b: int, control: int, delay: float, jitter: float) -> None:
    selector = selectors.DefaultSelector()
    selector.register(a, selectors.EVENT_READ, b)
    selector.register(b, selectors.EVENT_READ, a)
    selector.register(control, selectors.EVENT_READ, None)
    queue: list[tuple[float, int, int, bytes]] = []
    sequence = 0
    pending = b""
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
        for key, _events in selector.select(timeout):
            if key.data is None:
                chunk = os.read(control, 4096)
                if not chunk:
                    return
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    words = line.split()
                    if len(words) == 2:
                        delay, jitter = float(words[0]) / 1000, float(words[1]) / 1000
                continue
            while True:
                try:
                    packet = os.read(key.fd, 65535)
                except BlockingIOError:
                    break
                if len(queue) >= MAX_QUEUED:
                    continue
                due = time.monotonic() + max(0.0, delay + random.uniform(-jitter, jitter))
                sequence += 1
                heapq.heappush(queue, (due, sequence, key.data, packet))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _due, _seq, out, packet = heapq.heappop(queue)
            # The device's queue is full or it went down: a lost packet, as on a real link.
            with contextlib.suppress(OSError):
                os.write(out, packet)


# --- the labs' side ------------------------------------------------------------------------

End = tuple[str, str, str]
"""(namespace, TUN device, address) of one end of the link; each end's peer is the other's address."""


def start(a: End, b: End) -> subprocess.Popen[bytes]:
    """Make both ends' TUN devices and start the forwarder between them (no delay until
    ``set_delay``); the caller stops it (closing its pipes first: ``close``)."""
    for (namespace, device, address), peer in ((a, b[2]), (b, a[2])):
        for args in (
            ("tuntap", "add", "dev", device, "mode", "tun"),
            ("addr", "add", address, "peer", peer, "dev", device),
            ("link", "set", device, "up"),
        ):
            subprocess.run(["ip", "-n", namespace, *args], check=True, capture_output=True, timeout=20)
    link = subprocess.Popen(
        [sys.executable, __file__, f"{a[0]}:{a[1]}", f"{b[0]}:{b[1]}"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert link.stdout is not None
    ready, _, _ = select.select([link.stdout], [], [], 10)
    if not ready or link.stdout.readline().strip() != b"ready":
        close(link)
        link.kill()
        link.wait()
        raise RuntimeError("the slow link's forwarder did not start")
    return link


def set_delay(link: subprocess.Popen[bytes], delay_ms: float, jitter_ms: float = 0.0) -> None:
    """One-way delay of every packet (each direction), ± jitter."""
    assert link.stdin is not None
    link.stdin.write(f"{delay_ms} {jitter_ms}\n".encode())
    link.stdin.flush()


def close(link: subprocess.Popen[bytes]) -> None:
    """Close the forwarder's pipes (its stdin closing ends it)."""
    for pipe in (link.stdin, link.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


def main() -> int:
    (ns_a, dev_a), (ns_b, dev_b) = (arg.split(":", 1) for arg in sys.argv[1:3])
    a = open_tun(ns_a, dev_a)
    b = open_tun(ns_b, dev_b)
    print("ready", flush=True)
    forward(a, b, sys.stdin.fileno(), 0.0, 0.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
