"""Render staged charts with helm-python-sdk; run by render.py in its own process.

Standalone on purpose (run by path with `python -P`, imports nothing of portacheck or of the
scanned repository). It is kept alive between charts, since loading the Go library costs far
more than a render: the first line on stdin sets it up (the memory limit), then each further
line is one JSON request and gets one JSON line back on stdout. It ends at the end of its input.
The address-space limit is set before the Go library loads, so a template that allocates
without bound ends this process, not the scan; render.py then starts another for the next chart.
"""

import json
import sys

KINDS = {
    "HelmChartLoadError": "load",
    "HelmChartInvalidError": "load",
    "HelmValuesError": "values",
    "HelmRenderError": "render",
    "HelmPanicError": "crash",
}


def main() -> int:
    setup = json.loads(sys.stdin.readline() or "{}")
    limit = int(setup.get("memory") or 0)
    if limit:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):  # pragma: no cover - not on every platform
            pass
    helm, missing = None, ""
    try:
        import helm_python

        helm = helm_python
    except Exception as exc:  # noqa: BLE001 - the wheel is missing or its library does not load here
        missing = f"helm-python-sdk cannot be loaded: {exc}"
    for line in sys.stdin:
        if not line.strip():
            continue
        if helm is None:
            _answer({"ok": False, "kind": "unavailable", "message": missing})
        else:
            _answer(_render(helm, json.loads(line)))
    return 0


def _render(helm, request) -> dict:
    try:
        with helm.Chart.load(request["chart"]) as chart:
            manifests = chart.render(request.get("values") or {}, name=request["release"], namespace=request["namespace"])
    except helm.HelmError as exc:
        return {"ok": False, "kind": KINDS.get(type(exc).__name__, "render"), "message": str(exc)}
    limit = int(request.get("max_output") or 1 << 62)
    size = sum(len(text) for text in manifests.values())
    if size > limit:
        return {"ok": False, "kind": "too-large", "message": f"{limit // (1024 * 1024)} MiB"}
    objects = int(request.get("max_objects") or 1 << 62)
    count = sum(text.count("\n---") + 1 for text in manifests.values() if text.strip())
    if count > objects:
        return {"ok": False, "kind": "too-large", "message": f"{objects:,} objects"}
    return {"ok": True, "manifests": manifests}


def _answer(payload) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
