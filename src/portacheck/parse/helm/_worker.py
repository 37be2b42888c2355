"""Render one staged chart with helm-python-sdk; run by render.py in its own process.

Standalone on purpose (run by path with `python -P`, imports nothing of portacheck or of the
scanned repository): it reads a JSON request on stdin and writes one JSON answer on stdout.
The address-space limit is set before the Go library loads, so a template that allocates
without bound ends this process, not the scan.
"""

import json
import sys


def main() -> int:
    request = json.load(sys.stdin)
    limit = int(request.get("memory") or 0)
    if limit:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):  # pragma: no cover - not on every platform
            pass
    try:
        import helm_python as helm
    except Exception as exc:  # noqa: BLE001 - the wheel is missing or its library does not load here
        return _answer({"ok": False, "kind": "unavailable", "message": f"helm-python-sdk cannot be loaded: {exc}"})
    kinds = {
        "HelmChartLoadError": "load",
        "HelmChartInvalidError": "load",
        "HelmValuesError": "values",
        "HelmRenderError": "render",
        "HelmPanicError": "crash",
    }
    try:
        with helm.Chart.load(request["chart"]) as chart:
            manifests = chart.render(request.get("values") or {}, name=request["release"], namespace=request["namespace"])
    except helm.HelmError as exc:
        return _answer({"ok": False, "kind": kinds.get(type(exc).__name__, "render"), "message": str(exc)})
    limit = int(request.get("max_output") or 1 << 62)
    size = sum(len(text) for text in manifests.values())
    if size > limit:
        return _answer({"ok": False, "kind": "too-large", "message": f"{limit // (1024 * 1024)} MiB"})
    objects = int(request.get("max_objects") or 1 << 62)
    count = sum(text.count("\n---") + 1 for text in manifests.values() if text.strip())
    if count > objects:
        return _answer({"ok": False, "kind": "too-large", "message": f"{objects:,} objects"})
    return _answer({"ok": True, "manifests": manifests})


def _answer(payload) -> int:
    json.dump(payload, sys.stdout)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
