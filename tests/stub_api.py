"""A stand-in for GitHub's and GitLab's REST APIs on 127.0.0.1: it records each request and answers from a script.

Tests never talk to the real services. `StubApi(script, secret)` starts a server in a thread; each
request is recorded as a `Call` (method, path, query, headers, JSON body) and answered by the next
`Answer` of the script, in order. Headers are recorded without the transport ones (Host, User-Agent,
Content-Length, Accept-Encoding, Connection), and the secret (the token) is recorded as `***`, so a
test asserts exactly that the token went where it should. `{base}` in an answer's headers is the
stub's own URL (for Link headers).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TRANSPORT = {"host", "user-agent", "content-length", "accept-encoding", "connection"}


@dataclass(frozen=True)
class Answer:
    status: int = 200
    data: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None


class StubApi:
    def __init__(self, script: list[Answer], secret: str = ""):
        self.script = list(script)
        self.secret = secret
        self.calls: list[Call] = []
        self.user_agents: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                headers = {k: stub._hide(v) for k, v in self.headers.items() if k.lower() not in TRANSPORT}
                stub.user_agents.append(self.headers.get("User-Agent", ""))
                stub.calls.append(Call(self.command, parts.path, dict(parse_qsl(parts.query)), headers, json.loads(raw) if raw else None))
                answer = stub.script.pop(0) if stub.script else Answer(500, {"message": "stub: no answer scripted"})
                payload = b"" if answer.data is None else json.dumps(answer.data).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in answer.headers.items():
                    self.send_header(name, value.replace("{base}", stub.url))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _hide(self, value: str) -> str:
        return value.replace(self.secret, "***") if self.secret else value

    def __enter__(self) -> StubApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
