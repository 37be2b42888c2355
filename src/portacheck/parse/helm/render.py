"""The one place that knows how to render a chart; everything else sees manifests or a failure.

Renderers, behind `render()`:
- `sdk`: helm-python-sdk (Helm v4's Go SDK through ctypes; the optional `portacheck[helm]`
  extra), in a child process of this interpreter (see _worker.py);
- `binary`: `helm template` from PATH, with Helm's home directories pointed at an empty
  scratch directory so no plugin, repository or cache of the user is involved;
- `auto`: the SDK when installed, else a `helm` on PATH.
Either way the chart is the staged copy (dependencies already resolved), each render has a
wall-clock limit and a memory limit, and the child is killed when it overruns. Rendering never
contacts a cluster or a network: `lookup` returns nothing, and nothing is fetched.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

RENDERERS = ("auto", "sdk", "binary", "static")
DEFAULT_TIMEOUT = 30.0
MEMORY_LIMIT = 3 * 1024 * 1024 * 1024  # address space of the SDK worker
MAX_OUTPUT = 64 * 1024 * 1024  # bytes read from the renderer per chart; the renderer is killed past it
MAX_OBJECTS = 20_000  # rendered objects (YAML documents) per chart
MAX_SCAN_OBJECTS = 100_000  # rendered objects per scan, over all charts
RETIRE_RSS = 1024 * 1024 * 1024  # an SDK worker resident past this after a chart is replaced
NAMESPACE = "default"
_WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_worker.py")


@dataclass(frozen=True)
class Rendered:
    manifests: Mapping[str, str]  # render key ("web/templates/deployment.yaml") -> manifest text
    renderer: str  # "sdk" or "binary"


@dataclass(frozen=True)
class Failure:
    kind: str  # "unavailable", "load", "values", "render", "timeout", "crash", "too-large"
    message: str
    renderer: str = ""
    template: str = ""  # render key of the template that failed, when the message names one
    line: int = 0


def sdk_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("helm_python") is not None


def choose(renderer: str) -> str | Failure:
    """The renderer to use for `renderer` (auto, sdk, binary), or why none can be used."""
    if renderer == "auto":
        if sdk_installed():
            return "sdk"
        if shutil.which("helm"):
            return "binary"
        return Failure("unavailable", "no Helm renderer: install portacheck[helm] (helm-python-sdk) or put `helm` on PATH")
    if renderer == "sdk" and not sdk_installed():
        return Failure("unavailable", "--helm-renderer sdk needs helm-python-sdk: pip install 'portacheck[helm]'", "sdk")
    if renderer == "binary" and not shutil.which("helm"):
        return Failure("unavailable", "--helm-renderer binary needs a `helm` executable on PATH; none found", "binary")
    return renderer


def render(
    staged: str, values: Mapping[str, Any], release: str, renderer: str, timeout: float = DEFAULT_TIMEOUT, pool: Pool | None = None,
) -> Rendered | Failure:
    """Render the staged chart directory with the user's values (chart defaults apply underneath).

    `pool`: SDK workers to reuse between charts; without one, this render has a worker of its own."""
    chosen = choose(renderer)
    if isinstance(chosen, Failure):
        return chosen
    if chosen == "binary":
        return _binary(staged, values, release, timeout)
    request = {
        "chart": staged, "values": values, "release": release, "namespace": NAMESPACE,
        "max_output": MAX_OUTPUT, "max_objects": MAX_OBJECTS,
    }
    if pool is not None:
        return pool.render(request, timeout)
    with Pool() as own:
        return own.render(request, timeout)


class Pool:
    """SDK workers kept alive between charts: loading the Go library costs far more than a render.

    Each chart still has the limits it would have alone: its own wall-clock limit (the worker is
    killed past it), the output and object caps, and the worker's address-space limit. A worker
    that dies, overruns or grows past RETIRE_RSS is replaced; a chart whose worker dies after
    serving other charts is rendered once more in a fresh one, so what earlier charts left in
    that process never decides its outcome.
    """

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self.started = 0  # worker processes started, for tests and benchmarks

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def render(self, request: dict[str, Any], timeout: float) -> Rendered | Failure:
        outcome = self._once(request, timeout, fresh=False)
        if outcome is None:  # its worker died after serving other charts: once more, alone
            outcome = self._once(request, timeout, fresh=True)
        assert outcome is not None
        return outcome

    def _once(self, request: dict[str, Any], timeout: float, fresh: bool) -> Rendered | Failure | None:
        """The outcome in one worker; None when a worker that had served other charts died on it."""
        try:
            worker = self._take(fresh)
        except OSError as exc:
            return Failure("crash", f"cannot start the renderer: {exc.strerror or exc}", "sdk")
        reused = worker.served > 0
        how, line = worker.ask(request, timeout)
        answer = _decode(line) if how == "answer" else None
        if answer is not None:
            self._give(worker)
            return _sdk_answer(answer)
        code, stderr = worker.stop()
        if how == "timeout":
            return Failure("timeout", f"rendering took longer than {timeout:g} s (a template may loop); stopped", "sdk")
        if how == "too-large":
            return too_large(f"{MAX_OUTPUT // (1024 * 1024)} MiB", "sdk")
        if reused:
            return None
        return Failure("crash", _crash_message(code, stderr), "sdk")

    def _take(self, fresh: bool) -> _Worker:
        with self._lock:
            if self._idle and not fresh:
                return self._idle.pop()
            self.started += 1
        return _Worker()

    def _give(self, worker: _Worker) -> None:
        if worker.rss() > RETIRE_RSS:
            worker.stop()
            return
        with self._lock:
            self._idle.append(worker)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


class _Worker:
    """One SDK worker process (_worker.py): one JSON line per request, one per answer."""

    def __init__(self) -> None:
        self.home = tempfile.mkdtemp(prefix="portacheck-helm-")
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - open as long as the worker lives; closed in _clean
        self.served = 0
        try:
            # cwd: an empty directory, so nothing of the scanned repository is importable
            self.process = subprocess.Popen(
                [sys.executable, "-P", _WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
                cwd=self.home, env=_env(self.home), start_new_session=True,  # its own process group: see _kill
            )
        except OSError:
            self.errors.close()
            shutil.rmtree(self.home, ignore_errors=True)
            raise
        self._send({"memory": MEMORY_LIMIT})

    def _send(self, payload: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(payload).encode("utf-8") + b"\n")
            self.process.stdin.flush()
        except OSError:  # it died: the answer's absence says so
            pass

    def ask(self, request: dict[str, Any], timeout: float) -> tuple[str, bytes]:
        """("answer", line), or ("timeout" | "too-large" | "died", b""): the worker is then of no more use."""
        expired = threading.Event()

        def stop() -> None:
            expired.set()
            _kill(self.process)

        timer = threading.Timer(timeout, stop)
        timer.start()
        try:
            self._send(request)
            assert self.process.stdout is not None
            line = self.process.stdout.readline(MAX_OUTPUT + 2)
        finally:
            timer.cancel()
        if expired.is_set():
            return "timeout", b""
        if len(line.rstrip(b"\n")) > MAX_OUTPUT:
            return "too-large", b""
        if not line.endswith(b"\n"):
            return "died", b""
        self.served += 1
        return "answer", line

    def rss(self) -> int:
        """Resident bytes of the worker (Linux); 0 where that cannot be read."""
        try:
            with open(f"/proc/{self.process.pid}/status", encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def stop(self) -> tuple[int, str]:
        """Kill the worker; its exit code and what it wrote to stderr (the last MiB)."""
        _kill(self.process)
        code = self.process.wait()
        size = os.fstat(self.errors.fileno()).st_size
        stderr = os.pread(self.errors.fileno(), 1 << 20, max(0, size - (1 << 20))).decode("utf-8", "replace")
        self._clean()
        return code, stderr

    def close(self) -> None:
        """End the worker at the end of its input; kill it when it does not end at once."""
        assert self.process.stdin is not None
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _kill(self.process)
            self.process.wait()
        self._clean()

    def _clean(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.errors.close()
        shutil.rmtree(self.home, ignore_errors=True)


def _decode(line: bytes) -> dict[str, Any] | None:
    try:
        answer = json.loads(line)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def _sdk_answer(answer: dict[str, Any]) -> Rendered | Failure:
    if answer.get("ok"):
        return _bounded(dict(answer.get("manifests") or {}), "sdk")
    kind = str(answer.get("kind") or "render")
    message = str(answer.get("message") or "")
    if kind == "too-large":
        return too_large(message, "sdk")
    return _failure(kind, message, "sdk")


def _binary(staged: str, values: Mapping[str, Any], release: str, timeout: float) -> Rendered | Failure:
    helm = shutil.which("helm")
    assert helm is not None
    with tempfile.TemporaryDirectory(prefix="portacheck-helm-") as home:
        values_file = os.path.join(home, "values.json")
        with open(values_file, "w", encoding="utf-8") as handle:
            json.dump(values, handle)
        env = _env(home)
        for name in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME", "HELM_PLUGINS"):
            env[name] = os.path.join(home, name.lower())
        env["HELM_REPOSITORY_CONFIG"] = os.path.join(home, "repositories.yaml")
        env["KUBECONFIG"] = os.path.join(home, "kubeconfig")  # absent: no cluster
        try:
            done = _run([helm, "template", release, staged, "--namespace", NAMESPACE, "--values", values_file], None, timeout, home, env)
        except subprocess.TimeoutExpired:
            return Failure("timeout", f"`helm template` took longer than {timeout:g} s (a template may loop); stopped", "binary")
        except OSError as exc:
            return Failure("crash", f"cannot run helm: {exc.strerror or exc}", "binary")
    if done is None:
        return too_large(f"{MAX_OUTPUT // (1024 * 1024)} MiB", "binary")
    if done.returncode != 0:
        if _go_crash(done.stderr):  # its first line, not the goroutine dump
            return Failure("crash", _crash_message(done.returncode, done.stderr), "binary")
        message = done.stderr.strip().removeprefix("Error: ") or f"helm exited with code {done.returncode}"
        kind = "render" if "template" in message or "execution error" in message else "load"
        return _failure(kind, message, "binary")
    if count_objects({"": done.stdout}) > MAX_OBJECTS:
        return too_large(f"{MAX_OBJECTS:,} objects", "binary")
    return Rendered(split_sources(done.stdout), "binary")


def too_large(limit: str, renderer: str) -> Failure:
    return Failure("too-large", f"rendered output exceeds {limit}; its objects were not analysed", renderer)


def count_objects(manifests: Mapping[str, str]) -> int:
    """An upper bound of the YAML documents in rendered manifests: one per `---` line, plus one per text."""
    return sum(len(_SEPARATOR.findall(text)) + 1 for text in manifests.values() if text.strip())


def _bounded(manifests: dict[str, str], renderer: str) -> Rendered | Failure:
    if count_objects(manifests) > MAX_OBJECTS:
        return too_large(f"{MAX_OBJECTS:,} objects", renderer)
    return Rendered(manifests, renderer)


_SEPARATOR = re.compile(r"^---", re.M)


def _run(argv: list[str], stdin: str | None, timeout: float, cwd: str, env: dict[str, str]) -> subprocess.CompletedProcess[str] | None:
    """Run the renderer, reading at most MAX_OUTPUT bytes of its output: None (and the renderer killed) past it.

    Raises subprocess.TimeoutExpired when it runs longer than `timeout` (it is killed then too).
    """
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=errors, cwd=cwd, env=env, start_new_session=True,  # its own process group: see _kill
        )
        expired = threading.Event()

        def stop() -> None:
            expired.set()
            _kill(process)

        timer = threading.Timer(timeout, stop)
        timer.start()
        try:
            assert process.stdout is not None
            if stdin is not None:
                assert process.stdin is not None
                try:
                    process.stdin.write(stdin.encode("utf-8"))
                    process.stdin.close()
                except BrokenPipeError:
                    pass
            chunks: list[bytes] = []
            size = 0
            while chunk := process.stdout.read(1 << 16):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    _kill(process)
                    process.wait()
                    return None
                chunks.append(chunk)
            code = process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                _kill(process)
                process.wait()
            process.stdout.close()  # type: ignore[union-attr]
        if expired.is_set():
            raise subprocess.TimeoutExpired(argv, timeout)
        errors.seek(0)
        stderr = errors.read(1 << 20).decode("utf-8", "replace")
    return subprocess.CompletedProcess(argv, code, b"".join(chunks).decode("utf-8", "replace"), stderr)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the renderer and every process it started: one left holding its output would keep the
    read above waiting past the timeout (a `helm` that is a wrapper script, a plugin)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (AttributeError, OSError):  # no process groups (Windows), or the group is gone already
        process.kill()


def split_sources(stream: str) -> dict[str, str]:
    """`helm template` output as render key -> manifest text, from its `# Source:` comments."""
    manifests: dict[str, list[str]] = {}
    current: list[str] | None = None
    for document in re.split(r"^---[ \t]*$\n?", stream, flags=re.M):
        match = re.match(r"\s*# Source: (\S+)[ \t]*\n", document)
        if not match:
            if current is not None and document.strip():
                current.append(document)
            continue
        current = manifests.setdefault(match.group(1), [])
        current.append(document[match.end():])
    return {key: "---\n".join(parts) for key, parts in manifests.items()}


def _env(home: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "LANG": "C.UTF-8"}
    for name in ("SYSTEMROOT", "TMPDIR", "TEMP", "TMP", "HELM_C_LIB"):
        if name in os.environ:
            env[name] = os.environ[name]
    if os.environ.get("VIRTUAL_ENV"):
        env["VIRTUAL_ENV"] = os.environ["VIRTUAL_ENV"]
    return env


def _memory_limit() -> int:
    """The worker's address-space limit: MEMORY_LIMIT, or less when this process is limited already."""
    try:
        import resource

        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on every platform
        return MEMORY_LIMIT
    return MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)


def _go_crash(stderr: str) -> bool:
    """A Go runtime panic or fatal error: such a line and a goroutine dump."""
    lines = stderr.splitlines()
    return any(line.startswith(("panic: ", "fatal error: ")) for line in lines) and any(line.startswith("goroutine ") for line in lines)


def _crash_message(code: int, stderr: str) -> str:
    text = stderr or ""
    if "out of memory" in text or "cannot allocate memory" in text or "failed to reserve" in text:
        return f"rendering needed more than {_memory_limit() // (1024 ** 3)} GiB of memory; stopped"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = next((line for line in lines if line.startswith(("fatal error", "panic"))), "")
    if not first and any(line.startswith("Traceback") for line in lines):
        first = lines[-1]  # a Python worker: the exception itself, never the word "Traceback"
    how = f"signal {-code}" if code < 0 else f"exit code {code}"
    return f"the renderer crashed ({how}{': ' + first if first else ''})"


# Go template errors: "template: web/templates/x.yaml:12:3: executing ... : <reason>" and
# "execution error at (web/templates/x.yaml:12:3): <message>" (from `fail` and `required`).
_AT = re.compile(r"(?:template: |execution error at \(|parse error at \()?([\w.@+-]+(?:/[\w.@+-]+)*/templates/[^\s:()]+):(\d+)(?::\d+)?")


def _failure(kind: str, message: str, renderer: str) -> Failure:
    template, line = "", 0
    match = _AT.search(message)
    if match:
        template, line = match.group(1), int(match.group(2))
    return Failure(kind, shorten(message), renderer, template, line)


def shorten(message: str, limit: int = 300) -> str:
    """One line: the innermost reason of a chain of Go template errors, and where it started."""
    text = " ".join(message.split())
    text = re.sub(r"^template: ", "", text)
    if "error calling include:" in text:
        parts = text.split("error calling include:")
        text = parts[0].rstrip(": ").strip() + ": ... " + parts[-1].strip()
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return text
