"""Reading: which files are manifests worth parsing, and their text."""

from __future__ import annotations

import re

from portacheck import reader
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
        data = reader.read_bytes(source.path, max_bytes)  # read once: the bytes decide, then they are decoded
    except InputError as exc:
        if not exc.message.startswith("file is larger"):
            errors.append(ScanError(source.relpath, exc.message))
            return None
        data = reader.read_head(source.path, _PEEK_BYTES)
        if kustomization or is_values_file(name) or (b"apiVersion" in data and b"kind" in data):
            errors.append(ScanError(source.relpath, exc.message))
        return None
    head = reader.sniff_head(data)  # UTF-16 with a byte-order mark is looked at as text
    looks_like = kustomization or is_values_file(name) or (b"apiVersion" in head and b"kind" in head)
    if not looks_like:
        return None
    if b"\x00" in head[:8192] and reader.bom_encoding(data) is None:
        if name.endswith((".yaml", ".yml")):
            errors.append(ScanError(source.relpath, "binary file (contains NUL bytes); not analysed"))
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
