"""Kubernetes manifests: objects in, resources with their provider signals out, workloads linked.

Every YAML or JSON file discovery routes here is read; documents without `apiVersion` and
`kind` (CI configs, compose files, values files outside charts) are skipped silently, and a
file that does not even mention them is not parsed at all. Each object becomes a Resource
whose signals are the facts rules match: its kind, storage provisioners and classes, ingress,
gateway and load-balancer classes, annotation and label keys, node selectors, secret stores,
DNS-01 solvers, external-dns providers, environment variable names, telemetry exporters, and
every string value (images, env, args, ConfigMap data) for the shared endpoint matcher.

Workloads are linked, inside the scanned files, to what they rely on: their ServiceAccount,
claims and storage classes, ConfigMaps and Secrets (and the ExternalSecret that makes one),
the Services that select them and the Ingresses and routes in front of those, and Kustomize
patches of them. The assessment follows those links for the workload view.

The inline suppressions of every file read come back as Directives, their extents taken from
the same composed documents (portacheck.parse.yaml_directives).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from portacheck import reader
from portacheck._yaml import DataError, YList, YMap, load_documents
from portacheck.cache import from_plain, to_plain
from portacheck.errors import InputError
from portacheck.model import Directive, Location, Origin, ParseResult, ScanError, Severity, Signal, SourceFile, Unresolved
from portacheck.parse import ParseContext, yaml_directives
from portacheck.parse.kubernetes import flux
from portacheck.parse.kubernetes.kustomize import _json_patch, _kustomization, _kustomize_patches
from portacheck.parse.kubernetes.links import _link, _link_kustomizations
from portacheck.parse.kubernetes.objects import _Object, _ObjectReader, _values_object
from portacheck.parse.kubernetes.read import KUSTOMIZATION_NAMES, _read, is_kubernetes_text, is_values_file

if TYPE_CHECKING:
    from portacheck.cache import Cache

SOURCE = "kubernetes"


def parse(files: Sequence[SourceFile], context: ParseContext) -> ParseResult:
    errors: list[ScanError] = []
    patches = _kustomize_patches(files, context, errors)
    objects: list[_Object] = []
    directives: list[Directive] = []
    calls = [
        (
            source, context.max_file_bytes, source.relpath in patches, patches.get(source.relpath, ""),
            patches.targets.get(source.relpath), patches.texts.get(source.relpath),
        )
        for source in files
    ]
    # Serial on purpose: measured on 2,000 files, worker processes saved little (1.2 s -> 1.1 s)
    # because the objects they return must be pickled back.
    for found, problems, marked in (_analyse_cached(context.cache, *call) for call in calls):
        objects.extend(found)
        errors.extend(problems)
        directives.extend(marked)
    for _owner, rel, line, text, origin in patches.inline:
        found, problems = _analyse(text, rel, origin, SOURCE, patch=True, line_offset=line - 1)
        objects.extend(found)
        errors.extend(problems)
    charts, passed = flux.releases(objects, context)
    objects.extend(_passed_values(files, context, objects, errors))
    for given in passed:  # a ConfigMap's values text a HelmRelease passes: chart values at their own lines
        read, problems = _analyse(given.text, given.path, f"values passed by {given.referrer}", SOURCE, values_file=True, line_offset=max(given.line - 1, 0))
        objects.extend(o for o in read if o.kind == "HelmValues")
        errors.extend(problems)
    _link(objects)
    _link_kustomizations(objects, patches.includes)
    return ParseResult(tuple(o.resource() for o in objects), tuple(errors), tuple(directives), chart_values=tuple(charts))


def _passed_values(files: Sequence[SourceFile], context: ParseContext, objects: list[_Object], errors: list[ScanError]) -> list[_Object]:
    """Values files a helmfile or an Argo CD Application passes to a chart, read as chart values (see passed.py)."""
    from portacheck.parse.kubernetes.passed import passed_values

    applications = {o.path for o in objects if o.group == "argoproj.io" and o.kind in ("Application", "ApplicationSet")}
    found: list[_Object] = []
    for rel, referrer in passed_values(files, context, applications).items():
        found.extend(passed_values_file(rel, referrer, context, errors))
    return found


def passed_values_file(rel: str, referrer: str, context: ParseContext, errors: list[ScanError]) -> list[_Object]:
    """A values file some release passes to a chart (a helmfile, an Argo CD Application, a Terraform
    helm_release), read as chart values with its own lines; [] when it is read as values already."""
    from portacheck.parse import read_source

    if is_values_file(rel.rsplit("/", 1)[-1]):
        return []  # read as values already
    try:
        text = read_source(os.path.join(context.root, rel), context.max_file_bytes)
    except InputError as exc:
        errors.append(ScanError(rel, f"values file passed by {referrer}: {exc.message}", exc.line, exc.column))
        return []
    read, problems = _analyse(text, rel, f"values passed by {referrer}", SOURCE, values_file=True)
    errors.extend(problems)
    return [o for o in read if o.kind == "HelmValues"]


def object_signals(root: YMap, rel: str, errors: list[ScanError], *, values: bool = False) -> list[Signal]:
    """The signals of one object, or of chart values when `values`, given as a located tree (an
    object declared in another language: Terraform's kubernetes_* resources, set pairs)."""
    if values:
        return _values_object(root, rel, "", SOURCE, 0, errors).signals
    return _ObjectReader(root, rel, "", SOURCE, False, 0, errors).read().signals


def text_signals(text: str, rel: str, errors: list[ScanError], *, values: bool = False, line_offset: int = 0) -> list[Signal] | None:
    """The signals of the objects (or chart values, when `values`) of a YAML text embedded at
    `line_offset` in `rel`, or read from it; None when the text does not parse."""
    objects, problems = _analyse(text, rel, "", SOURCE, line_offset=line_offset, values_file=values)
    if any(p.severity is Severity.ERROR for p in problems) and not objects:
        return None
    errors.extend(problems)
    return [signal for o in objects for signal in o.signals]


def _analyse_cached(
    cache: Cache | None, source: SourceFile, max_bytes: int, always: bool, origin: str, target: tuple[str, str] | None, text: str | None = None
) -> tuple[list[_Object], list[ScanError], list[Directive]]:
    """`_analyse_file`, served from the cache when the same bytes were read under the same path and role."""
    if cache is None:
        return _analyse_file(source, max_bytes, always, origin, target, text)
    if text is not None:
        data = text.encode("utf-8")
    else:
        try:
            data = reader.read_bytes(source.path, max_bytes)
        except InputError:  # reported by the uncached reading
            return _analyse_file(source, max_bytes, always, origin, target, text)
    key = cache.key("kubernetes", [source.relpath, str(max_bytes), str(always), origin, repr(target), str(text is None), data])
    cached = cache.get("kubernetes", key)
    if cached is not None:
        try:
            found, problems, marked = from_plain(cached, _CACHED_CLASSES)
            return found, problems, marked
        except (ValueError, TypeError):
            pass  # not what this version writes: analysed again below
    result = _analyse_file(source, max_bytes, always, origin, target, text)
    try:
        plain = to_plain(result)
    except ValueError:  # holds something that is not plain data: not cached
        return result
    cache.put("kubernetes", key, plain)
    return result


# What a cached file's analysis may hold: nothing else is ever built from a cache entry.
_CACHED_CLASSES: dict[str, type] = {
    cls.__name__: cls for cls in (_Object, Signal, Location, Origin, ScanError, Severity, Directive, Unresolved)
}


def _analyse_file(
    source: SourceFile, max_bytes: int, always: bool, origin: str, target: tuple[str, str] | None, text: str | None = None
) -> tuple[list[_Object], list[ScanError], list[Directive]]:
    """One file's objects, problems and suppressions; never raises: a bug costs this file, not the scan.

    `text`: the file's text when it was read already (a kustomization), so no file is read twice."""
    errors: list[ScanError] = []
    if text is None:
        text = _read(source, max_bytes, errors, always=always)
    if text is None:
        return [], errors, []
    directives: list[Directive] = []
    try:
        found, problems = _analyse(text, source.relpath, origin, SOURCE, patch=bool(origin), target=target, directives=directives)
    except Exception as exc:  # noqa: BLE001 - reported as this file's error, see the docstring
        return [], errors + [ScanError(source.relpath, f"internal error while analysing this file ({type(exc).__name__}: {exc}); please report it")], []
    return found, errors + problems, directives


def analyse_text(text: str, relpath: str, context: ParseContext | None = None, *, origin: str = "", source: str = SOURCE) -> ParseResult:
    """Analyse a multi-document manifest text as the file `relpath` (rendered Helm output, say).

    Links are resolved among the objects of this text only. Its suppressions are not read here:
    the text is rendered, or a file whose reader reads them.
    """
    objects, errors = _analyse(text, relpath, origin, source)
    _link(objects)
    return ParseResult(tuple(o.resource() for o in objects), tuple(errors))


def _analyse(
    text: str, rel: str, origin: str, source: str, patch: bool = False, line_offset: int = 0,
    target: tuple[str, str] | None = None, directives: list[Directive] | None = None, values_file: bool = False,
) -> tuple[list[_Object], list[ScanError]]:
    """The objects of a text; its suppressions go to `directives` when given (a whole file, not a patch inside one)."""
    errors: list[ScanError] = []
    name = rel.rsplit("/", 1)[-1]
    values = (values_file or is_values_file(name)) and not patch
    try:
        documents = load_documents(text)
    except DataError as exc:
        if directives is not None:
            directives.extend(yaml_directives.template_directives(rel, text))
        if values and not is_kubernetes_text(text):
            return [], []  # a values file that does not parse is no manifest: skipped silently
        line = exc.line + line_offset if exc.line else 0
        return [], [ScanError(rel, exc.message, line, exc.column)]
    if directives is not None:
        directives.extend(yaml_directives.read(rel, text, [document.node for document in documents]))
    objects: list[_Object] = []
    kustomization = name in KUSTOMIZATION_NAMES and not patch  # inline patches live in one
    for document in documents:
        for line, message in document.warnings:
            errors.append(ScanError(rel, message, line + line_offset, severity=Severity.WARNING))
        root = document.root
        if kustomization and isinstance(root, YMap):
            objects.append(_kustomization(root, rel, origin, source, line_offset))
            continue
        if isinstance(root, YList) and patch:
            objects.append(_json_patch(root, rel, origin, source, line_offset, target))
            continue
        if not isinstance(root, YMap) or not isinstance(root.get("apiVersion"), str) or not isinstance(root.get("kind"), str):
            if values and isinstance(root, YMap):
                objects.append(_values_object(root, rel, origin, source, line_offset, errors))
            continue
        items = root.get("items")
        if root["kind"].endswith("List") and isinstance(items, YList):
            for item in items:
                if isinstance(item, YMap) and isinstance(item.get("apiVersion"), str) and isinstance(item.get("kind"), str):
                    objects.append(_ObjectReader(item, rel, origin, source, patch, line_offset, errors).read())
            continue
        objects.append(_ObjectReader(root, rel, origin, source, patch, line_offset, errors).read())
    return objects, errors
