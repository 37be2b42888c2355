"""Kustomize: the patches kustomizations name, kustomizations and JSON 6902 patches as objects."""

from __future__ import annotations

import os
from collections.abc import Sequence

from portacheck._yaml import DataError, YList, YMap, load_documents
from portacheck.errors import InputError
from portacheck.model import Location, Origin, ScanError, Signal, SourceFile
from portacheck.parse import ParseContext, read_source
from portacheck.parse.kubernetes.objects import _TEXT_HINT, _Object
from portacheck.parse.kubernetes.read import KUSTOMIZATION_NAMES
from portacheck.parse.kubernetes.walk import _string_leaves, _text


class _Patches(dict):
    """Patch file relpath -> origin text; inline patches as (kustomization, rel, line, text, origin).

    `targets` holds the (kind, name) a patch entry names, which a JSON 6902 patch needs to say
    what it patches; `includes` the files and directories each kustomization builds from.
    """

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[tuple[str, str, int, str, str]] = []
        self.targets: dict[str, tuple[str, str]] = {}
        self.includes: dict[str, list[str]] = {}
        self.texts: dict[str, str] = {}  # kustomization relpath -> its text, read once here


def _kustomize_patches(files: Sequence[SourceFile], context: ParseContext, errors: list[ScanError]) -> _Patches:
    patches = _Patches()
    for source in files:
        if source.relpath.rsplit("/", 1)[-1] not in KUSTOMIZATION_NAMES:
            continue
        try:
            text = read_source(source.path, context.max_file_bytes)
        except InputError:
            continue  # reported when the file itself is analysed
        patches.texts[source.relpath] = text
        try:
            documents = load_documents(text)
        except DataError:
            continue  # reported when the file itself is analysed
        directory = os.path.dirname(source.relpath)
        origin = f"kustomize patch ({source.relpath})"
        for document in documents:
            root = document.root
            if not isinstance(root, YMap):
                continue
            for key in ("resources", "bases", "components"):
                entries = root.get(key)
                if isinstance(entries, YList):
                    patches.includes.setdefault(source.relpath, []).extend(
                        _join(directory, entry) for entry in entries if isinstance(entry, str) and "://" not in entry
                    )
            for key in ("patches", "patchesStrategicMerge", "patchesJson6902"):
                entries = root.get(key)
                if not isinstance(entries, YList):
                    continue
                for i, entry in enumerate(entries):
                    path, inline, line, target = "", "", entries.item_lines[i], None
                    if isinstance(entry, str):
                        if "\n" in entry or entry.lstrip().startswith(("apiVersion", "-")):
                            inline = entry
                        else:
                            path = entry
                    elif isinstance(entry, YMap):
                        path = _text(entry.get("path"))
                        inline = _text(entry.get("patch"))
                        line = entry.value_lines.get("patch", line)
                        selector = entry.get("target")
                        if isinstance(selector, YMap) and isinstance(selector.get("kind"), str) and isinstance(selector.get("name"), str):
                            target = (selector["kind"], selector["name"])
                    if path:
                        rel = _join(directory, path)
                        patches[rel] = origin
                        if target:
                            patches.targets[rel] = target
                    elif inline:
                        patches.inline.append((source.relpath, source.relpath, line, inline, f"kustomize inline patch ({source.relpath})"))
    return patches


def _join(directory: str, path: str) -> str:
    return os.path.normpath(os.path.join(directory, path)).replace(os.sep, "/")


def _kustomization(root: YMap, rel: str, origin: str, source: str, offset: int) -> _Object:
    obj = _Object(rel, root.line + offset, origin, source, _text(root.get("apiVersion")), "kustomize.config.k8s.io",
                  _text(root.get("kind")) or "Kustomization", os.path.dirname(rel) or ".", "", "reference")
    for context, line, value in _string_leaves(root, ""):
        if context.startswith(("patches", "patchesStrategicMerge")) and "\n" in value:
            continue  # inline patches are analysed as objects of their own
        if _TEXT_HINT.search(value):
            obj.signals.append(Signal("text", value, Location(rel, line + offset, 0, Origin(via=origin)), context))
    return obj


def _json_patch(root: YList, rel: str, origin: str, source: str, offset: int, target: tuple[str, str] | None = None) -> _Object:
    """A JSON 6902 patch: annotation, label and node-selector paths and values become signals."""
    kind, name = target or ("JSONPatch", rel.rsplit("/", 1)[-1])
    obj = _Object(rel, root.line + offset, origin, source, "", "json6902", kind, name, "", "patch")

    def signal(signal_kind: str, value: str, line: int, context: str) -> None:
        obj.signals.append(Signal(signal_kind, value, Location(rel, line + offset, 0, Origin(via=origin)), context))

    for i, op in enumerate(root):
        if not isinstance(op, YMap):
            continue
        path = _text(op.get("path")).replace("~1", "/").replace("~0", "~")
        line = op.value_lines.get("path", op.line)
        value = op.get("value")
        for marker, signal_kind in (("/annotations", "k8s_annotation"), ("/labels", "k8s_label"), ("/nodeSelector", "k8s_node_label")):
            _head, found, key = path.partition(marker + "/")
            if found and key:
                text = _text(value)
                signal(signal_kind, f"{key}={text}" if signal_kind == "k8s_node_label" and text else key, line, f"[{i}].path")
            elif path.endswith(marker) and isinstance(value, YMap):
                for k, v in value.items():
                    shown = f"{k}={_text(v)}" if signal_kind == "k8s_node_label" and _text(v) else k
                    signal(signal_kind, shown, value.key_lines.get(k, line), f"[{i}].value.{k}")
        for context, value_line, text in _string_leaves(value, f"[{i}].value"):
            if _TEXT_HINT.search(text):
                signal("text", text, value_line, context)
    return obj
