"""Pipeline files in, one Resource of kind `pipeline` per file with its signals out.

Every file is composed once with libyaml (portacheck._yaml, bounded; JSON is YAML here),
its suppressions read from the same documents, and walked once: each string value is a `text`
signal for the endpoint matcher, and what each CI system says structurally becomes a signal of
its own kind (see the readers in systems.py). GitLab CI files pull in the local files they
`include:`, which are read as GitLab CI too, once each, even when their names say nothing.

Contexts: a `text` signal carries the key path of its value, except inside a GitHub step's
`uses:`/`with:` or an Azure task's `task:`/`inputs:`, which share the step's path with the
action or task signal. So the role ARN given to `aws-actions/configure-aws-credentials` is
judged as that action's OIDC federation, not again as the IAM policy model.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence

from portacheck._yaml import DataError, load_documents
from portacheck.errors import InputError
from portacheck.model import Directive, Location, ParseResult, Resource, ScanError, Severity, SourceFile
from portacheck.parse import ParseContext, read_source, yaml_directives
from portacheck.parse.pipelines import SOURCE, claims
from portacheck.parse.pipelines.systems import READERS, Collector

_TYPES = {
    claims.GITHUB: "github-workflow",
    claims.GITLAB: "gitlab-ci",
    claims.AZURE: "azure-pipeline",
    claims.CLOUDBUILD: "cloudbuild",
    claims.CLOUDDEPLOY: "clouddeploy",
}
MAX_INCLUDES = 200  # local files pulled in by GitLab `include:`, per scan


def parse(files: Sequence[SourceFile], context: ParseContext) -> ParseResult:
    resources: list[Resource] = []
    errors: list[ScanError] = []
    directives: list[Directive] = []
    queue: list[tuple[SourceFile, str | None]] = [(source, None) for source in files]
    seen = {source.relpath for source in files}
    while queue:
        source, system = queue.pop(0)
        try:
            text = read_source(source.path, context.max_file_bytes)
        except InputError as exc:
            errors.append(ScanError(source.relpath, exc.message, exc.line, exc.column))
            continue
        system = system or claims.system(source.relpath, text[:8192].encode("utf-8", "replace"))
        if system is None:  # claimed by name, changed since: nothing to say
            continue
        try:
            resource, problems, marked, includes = _analyse(source.relpath, text, system)
        except Exception as exc:  # noqa: BLE001 - one file's bug costs that file, not the scan
            errors.append(ScanError(source.relpath, f"internal error while analysing this file ({type(exc).__name__}: {exc}); please report it"))
            continue
        if resource is not None:
            resources.append(resource)
        errors.extend(problems)
        directives.extend(marked)
        for included in _local_includes(includes, source.relpath, context, errors):
            if included.relpath not in seen and len(seen) < len(files) + MAX_INCLUDES:
                seen.add(included.relpath)
                queue.append((included, claims.GITLAB))
    return ParseResult(tuple(resources), tuple(errors), tuple(directives))


def _analyse(rel: str, text: str, system: str) -> tuple[Resource | None, list[ScanError], tuple[Directive, ...], list[tuple[str, int]]]:
    try:
        documents = load_documents(text)
    except DataError as exc:
        return None, [ScanError(rel, exc.message, exc.line, exc.column)], yaml_directives.template_directives(rel, text), []
    errors = [ScanError(rel, message, line, severity=Severity.WARNING) for d in documents for line, message in d.warnings]
    marked = yaml_directives.read(rel, text, [d.node for d in documents])
    collector = Collector(rel)
    READERS[system](documents, collector)
    line = documents[0].line if documents else 1
    type_ = _TYPES[system]
    name = rel.rsplit("/", 1)[-1]
    if system == claims.GITHUB and name in claims._ACTION_NAMES:
        type_, name = "github-action", (rel.rsplit("/", 2)[-2] if "/" in rel else name)
    resource = Resource(
        source=SOURCE,
        kind="pipeline",
        provider="",
        type=type_,
        address=f"{type_}:{name}",
        location=Location(rel, line),
        signals=tuple(collector.signals),
        attributes={"system": system},
    )
    return resource, errors, marked, collector.includes


def _local_includes(includes: list[tuple[str, int]], rel: str, context: ParseContext, errors: list[ScanError]) -> list[SourceFile]:
    """The files of GitLab `include: local` entries (paths from the repository root, globs allowed) inside the scan root."""
    root = os.path.realpath(context.root)
    found: list[SourceFile] = []
    for pattern, line in includes:
        if "$" in pattern:  # a CI variable: known only when the pipeline runs
            continue
        paths = sorted(glob.glob(os.path.join(root, pattern.lstrip("/")), recursive=True)) if "*" in pattern else [os.path.join(root, pattern.lstrip("/"))]
        if not paths or not all(os.path.isfile(p) for p in paths):
            errors.append(ScanError(rel, f"include {pattern!r} is not a file in the scanned directory; not analysed", line, severity=Severity.WARNING))
        for path in paths:
            real = os.path.realpath(path)
            if not os.path.isfile(real) or not real.startswith(root + os.sep):
                continue
            relpath = os.path.relpath(real, root).replace(os.sep, "/")
            if not context.excluded(relpath):
                found.append(SourceFile(real, relpath, SOURCE))
    return found

