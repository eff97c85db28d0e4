"""Extraction workers die with the batch that started them.

A worker busy with a long document does not read its pipe, so it would not notice its
parent's `kill -9` until the document is done (hours, for a long scan).  Each worker leads
its own process group (so OCR engines it starts go with it), asks the kernel for SIGKILL
when its parent dies (Linux), and runs a watch thread that kills the group once the batch
process is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

import psutil

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5


def own_group() -> None:
    """Make this process the leader of a new process group (its children join it)."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpgid(0, 0)


def kill_group(pgid: int) -> None:
    """SIGKILL a process group (a worker and what it started); gone already is fine."""
    with contextlib.suppress(OSError, AttributeError):
        os.killpg(pgid, signal.SIGKILL)


def _death_signal() -> None:
    """SIGKILL from the kernel when the parent process dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def watch(batch_pid: int) -> None:
    """Die (with the whole process group) when process `batch_pid` is gone."""
    own_group()
    _death_signal()
    try:
        batch = psutil.Process(batch_pid)  # remembers its start time: a reused pid is not it
    except psutil.Error:
        _die()
    parent = os.getppid()

    def loop() -> None:
        while True:
            time.sleep(_WATCH_SECONDS)
            if os.getppid() != parent or not _alive(batch):
                _die()

    threading.Thread(target=loop, name="lifeline", daemon=True).start()


def _die() -> None:
    """Kill what this process started (its own group only, never the batch's) and exit."""
    with contextlib.suppress(OSError):
        if os.getpgid(0) == os.getpid():
            kill_group(os.getpid())
    os._exit(1)


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
