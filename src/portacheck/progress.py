"""A one-line progress indicator on a terminal: the current stage, a spinner and the elapsed time.

cli.py decides whether to show it (standard error is a terminal and the CI variable is not
set); this module only draws. The line is redrawn in place and erased at the end, so nothing
of it stays in the scrollback or reaches a pipe.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

_FRAMES = "|/-\\"


class Progress:
    def __init__(self, stream: TextIO, interval: float = 0.1):
        self.stream = stream
        self.interval = interval
        self.message = ""
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._frame = 0

    def __call__(self, message: str) -> None:
        with self._lock:
            self.message = message
            self._draw()
        if self._thread is None:
            self._thread = threading.Thread(target=self._spin, name="portacheck-progress", daemon=True)
            self._thread.start()

    def _spin(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                self._draw()

    def _draw(self) -> None:
        self._frame = (self._frame + 1) % len(_FRAMES)
        elapsed = time.monotonic() - self.started
        try:
            self.stream.write(f"\r\x1b[K{_FRAMES[self._frame]} portacheck: {self.message}… {elapsed:.0f}s")
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away
            self._stop.set()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self.message:
                try:
                    self.stream.write("\r\x1b[K")
                    self.stream.flush()
                except (OSError, ValueError):
                    pass
