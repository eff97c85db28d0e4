"""A headless Chromium driven over the DevTools protocol on a pipe (no extra packages).

`Browser(path, profile)` starts Chromium with `--remote-debugging-pipe` (it reads commands on
fd 3 and writes replies on fd 4, NUL-terminated JSON) and opens one page; `evaluate` runs
JavaScript in it, `click` sends a real mouse click, `targets` lists what Chromium has open.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any


class Browser:
    """One headless Chromium with one page, closed on exit of the `with` block."""

    def __init__(self, path: str, profile: Path, timeout: float = 30) -> None:
        self.timeout = timeout
        ours_read, chrome_write = os.pipe()
        chrome_read, ours_write = os.pipe()

        def fds() -> None:  # in the child: its ends of the pipes on fds 3 and 4
            a, b = os.dup(chrome_read), os.dup(chrome_write)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen(
            [
                path,
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],  # fmt: skip
            preexec_fn=fds,
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(chrome_read)
        os.close(chrome_write)
        self._out = os.fdopen(ours_write, "wb", buffering=0)
        self._in = os.fdopen(ours_read, "rb", buffering=0)
        self._buf = b""
        self._id = 0
        page = next(t for t in self._wait_targets(lambda ts: any(t["type"] == "page" for t in ts)))
        self.target = page["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=self.target, flatten=True)["sessionId"]

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._write("Browser.close", {})
            self.proc.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self._out.close()
        self._in.close()

    def _write(self, method: str, params: dict[str, Any], session: str | None = None) -> int:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self._out.write(json.dumps(msg).encode() + b"\0")
        return self._id

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its result (events in between are dropped)."""
        want = self._write(method, params, session)
        while True:
            while b"\0" in self._buf:
                raw, self._buf = self._buf.split(b"\0", 1)
                msg = json.loads(raw)
                if msg.get("id") == want:
                    if "error" in msg:
                        raise RuntimeError(f"{method}: {msg['error']}")
                    return msg["result"]
            chunk = self._in.read(1 << 16)
            if not chunk:
                raise RuntimeError(f"chromium closed the pipe during {method}")
            self._buf += chunk

    def targets(self) -> list[dict[str, Any]]:
        """Pages and frames Chromium has open: type, url …"""
        return self.send("Target.getTargets")["targetInfos"]

    def _wait_targets(self, ok: Any) -> list[dict[str, Any]]:
        deadline = time.monotonic() + self.timeout
        while True:
            found = self.targets()
            if ok(found) or time.monotonic() > deadline:
                return found
            time.sleep(0.2)

    def wait_targets(self, ok: Any) -> list[dict[str, Any]]:
        """Poll the targets until `ok(targets)` holds or the timeout passes; the last list."""
        return self._wait_targets(ok)

    def navigate(self, url: str) -> None:
        """Open `url` in the page and wait for it to load."""
        self.send("Page.navigate", self.session, url=url)
        deadline = time.monotonic() + self.timeout
        while self.evaluate("document.readyState") != "complete" and time.monotonic() < deadline:
            time.sleep(0.1)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        res = self.send("Runtime.evaluate", self.session, expression=expression, returnByValue=True)
        if "exceptionDetails" in res:
            raise RuntimeError(res["exceptionDetails"].get("exception", {}).get("description", expression))
        return res["result"].get("value")

    def click(self, x: float, y: float) -> None:
        """A real left click (press and release) at viewport coordinates."""
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent", self.session, type=kind, x=x, y=y, button="left", clickCount=1
            )
