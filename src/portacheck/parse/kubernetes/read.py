"""Reading: which files are manifests worth parsing, and their text."""

from __future__ import annotations

import re

from portacheck.errors import InputError
from portacheck.model import ScanError, SourceFile
from portacheck.parse import decode_source

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_PEEK_BYTES = 64 * 1024
_VALUES_FILE = re.compile(r"^values([-_.][\w.-]*)?\.ya?ml$")


def _read(source: SourceFile, max_bytes: int, errors: list[ScanError], always: bool = False) -> str | None:
    """The text of a file worth parsing, None for files that are not manifests (silently).

    Kustomization files and the patches they name are always read (a JSON 6902 patch has no
    apiVersion); other files only when they mention both `apiVersion` and `kind`.
    """
    name = source.relpath.rsplit("/", 1)[-1]
    kustomization = always or name in KUSTOMIZATION_NAMES
    try:
        with open(source.path, "rb") as handle:  # read once: the head decides, the rest is decoded below
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        errors.append(ScanError(source.relpath, f"cannot read: {exc.strerror or exc}"))
        return None
    head = data[:_PEEK_BYTES]
    looks_like = kustomization or is_values_file(name) or (b"apiVersion" in head and b"kind" in head)
    if not looks_like:
        return None
    if b"\x00" in head[:8192]:
        if name.endswith((".yaml", ".yml")):
            errors.append(ScanError(source.relpath, "binary file (contains NUL bytes); not analysed"))
        return None
    if len(data) > max_bytes:
        errors.append(ScanError(source.relpath, f"file is larger than {max_bytes // (1024 * 1024)} MiB; not analysed"))
        return None
    try:
        text = decode_source(data)
    except InputError as exc:
        errors.append(ScanError(source.relpath, exc.message, exc.line, exc.column))
        return None
    if not kustomization and not is_values_file(name) and not is_kubernetes_text(text):
        return None
    return text


def is_values_file(name: str) -> bool:
    """Helm values kept outside a chart (for a Terraform helm_release, Flux or Argo CD): read too."""
    return _VALUES_FILE.match(name) is not None


def is_kubernetes_text(text: str) -> bool:
    return "apiVersion" in text and "kind" in text
