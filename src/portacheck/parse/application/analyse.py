"""Application code: cloud SDKs in dependency manifests and code, endpoints in app config, build contexts.

A containerised service that calls DynamoDB through boto3 is as tied to AWS as a Lambda
function; its infrastructure code does not show it, its dependencies do. This analyser reads:

- dependency manifests of eight ecosystems (manifests/): each dependency the catalogue knows as
  an SDK (`sdk_package` patterns, handed over as ParseContext.sdk_packages) becomes a Resource
  of kind "package" at its manifest line, with one `sdk_package` signal `<ecosystem>:<name>`;
- Python code that mentions boto3 or botocore (python_code.py): each client or resource it
  creates is an `sdk_client` signal `boto3:<service>` at the call's line (`boto3:?` when the
  service name is not a literal);
- application config (config.py): every string value is a `text` signal for the shared
  endpoint matcher, on one Resource of kind "reference" per file;
- Dockerfiles, skaffold.yaml and Compose files (builds.py): Resources of kind "build" that
  say which directory an image is built from, for the workload view;
- Compose services and Dockerfile base images (containers.py): images, `x-aws-*`/`x-azure-*`
  extensions and endpoints, as Resources of kind "reference".

Nothing from the scanned repository is executed. Bad input costs one ScanError for its file.
A YAML config file (`application.yaml`, `config/*.yaml`) that turns out to hold Kubernetes
objects (an Argo CD Application, say) is handed to the Kubernetes analyser instead.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from portacheck._yaml import DataError, YMap, load_documents
from portacheck.errors import InputError
from portacheck.model import Directive, Location, ParseResult, Resource, ScanError, Signal, SourceFile
from portacheck.parse import ParseContext, read_source
from portacheck.parse.application import builds, config, containers, python_code
from portacheck.parse.application.manifests import Dependency, readers
from portacheck.parse.application.paths import manifest_kind, role
from portacheck.rules.patterns import PatternIndex

SOURCE = "application"
# Umbrella Python SDKs whose services the code scan tells. Where the scanned Python code under
# the manifest's directory creates no client, the package says so with an `sdk_client` signal
# for an unknown service, as a call whose service name is not a literal does.
CODE_SCANNED = frozenset({"pypi:boto3", "pypi:botocore", "pypi:aioboto3", "pypi:aiobotocore"})
UNKNOWN_SERVICE = "?"


def parse(files: Sequence[SourceFile], context: ParseContext) -> ParseResult:
    reader = _Reader(context)
    for source in files:
        reader.read_safely(source)
    return reader.result()


class _Reader:
    def __init__(self, context: ParseContext):
        self.context = context
        self.resources: list[Resource] = []
        self.errors: list[ScanError] = []
        self.directives: list[Directive] = []  # the YAML files' inline suppressions
        self.packages: list[tuple[str, Dependency, str]] = []  # (manifest relpath, dependency, provider)
        self.code: dict[str, list[python_code.ClientCall]] = {}  # .py relpath -> calls (empty: none found)
        self.python_files: list[str] = []  # every .py file of the scan, whether it mentions boto3 or not
        self.readers = readers()
        patterns = context.sdk_packages
        self.sdk = None if patterns is None else PatternIndex(patterns)

    # -- files --

    def read_safely(self, source: SourceFile) -> None:
        try:
            self.read(source)
        except InputError as exc:
            self.errors.append(ScanError(source.relpath, exc.message, exc.line, exc.column))
        except Exception as exc:  # noqa: BLE001 - a bug costs this file, not the scan
            message = f"internal error while reading this file ({type(exc).__name__}: {exc}); not analysed; please report this"
            self.errors.append(ScanError(source.relpath, message))

    def read(self, source: SourceFile) -> None:
        rel = source.relpath
        file_role = role(rel) or ""
        if file_role == "python":
            self.python(source)
        elif file_role == "dockerfile":
            self.resources.append(builds.dockerfile(rel))
            text = self.text(source)
            self.directives.extend(containers.dockerfile_directives(rel, text))
            base_images = containers.dockerfile(rel, text)
            if base_images is not None:
                self.resources.append(base_images)
        elif file_role.startswith("manifest:"):
            self.resources.append(builds.manifest(rel))  # a module an image may be built from
            text = self.text(source)
            for dependency in self.readers[manifest_kind(file_role)](text, rel.rsplit("/", 1)[-1]):
                provider = self.claimed(dependency)
                if provider is not None:
                    self.packages.append((rel, dependency, provider))
        elif file_role in ("skaffold", "compose"):
            text = self.text(source)
            documents = self.documents(source, text)
            self.directives.extend(config.directives(rel, text, documents))
            if file_role == "skaffold":
                self.resources.extend(builds.skaffold(rel, documents))
            else:
                self.resources.extend(builds.compose(rel, documents) + containers.compose(rel, documents))
        elif file_role == "yaml":
            text = self.text(source)
            documents = self.documents(source, text)
            self.directives.extend(config.directives(rel, text, documents))
            if any(_is_kubernetes_object(d.root) for d in documents):
                self.kubernetes(text, rel)
            else:
                self.config(rel, config.yaml_values([d.root for d in documents]))
        elif file_role == "env":
            self.config(rel, config.env_values(self.text(source)))
        elif file_role == "properties":
            self.config(rel, config.properties_values(self.text(source)))
        elif file_role == "json":
            self.config(rel, config.json_values(self.text(source)))

    def text(self, source: SourceFile) -> str:
        return read_source(source.path, self.context.max_file_bytes)

    def documents(self, source: SourceFile, text: str | None = None):
        try:
            return load_documents(self.text(source) if text is None else text)
        except DataError as exc:
            raise InputError(exc.message, exc.line, exc.column) from None

    def claimed(self, dependency: Dependency) -> str | None:
        """The provider of the SDK rule that claims a dependency; None when no rule does."""
        if self.sdk is None:
            return ""  # no catalogue facts: keep every dependency, the matcher decides
        found = self.sdk.lookup(dependency.key)
        return sorted(provider for _pattern, provider in found)[0] if found else None

    def python(self, source: SourceFile) -> None:
        self.python_files.append(source.relpath)
        try:
            with open(source.path, "rb") as handle:
                head = handle.read(self.context.max_file_bytes + 1)
        except OSError:
            head = b"boto3"  # let read_source say plainly why the file cannot be read
        if not python_code.mentions_sdk(head):
            return
        text = self.text(source)
        try:
            calls = python_code.client_calls(text, source.relpath)
        except SyntaxError as exc:
            raise InputError(f"cannot parse Python: {exc.msg}", exc.lineno or 0, exc.offset or 0) from None
        except (RecursionError, MemoryError, ValueError) as exc:
            raise InputError(f"cannot parse Python: {type(exc).__name__}") from None
        self.code[source.relpath] = calls
        rel = source.relpath
        signals = tuple(
            Signal("sdk_client", f"boto3:{c.service or UNKNOWN_SERVICE}", Location(rel, c.line, c.column), c.expression)
            for c in calls
        )
        if signals:
            self.resources.append(Resource(
                source=SOURCE,
                kind="reference",
                provider="aws",
                type="python code",
                address="boto3 clients",
                location=Location(source.relpath, signals[0].location.line),
                signals=signals,
            ))

    def config(self, rel: str, values: list[config.Value]) -> None:
        signals = tuple(Signal("text", text, Location(rel, line), key) for line, key, text in values)
        if signals:
            self.resources.append(Resource(
                source=SOURCE,
                kind="reference",
                provider="",
                type="application config",
                address=f"config:{rel.rsplit('/', 1)[-1]}",
                location=Location(rel, 0),
                signals=signals,
            ))

    def kubernetes(self, text: str, rel: str) -> None:
        from portacheck.parse.kubernetes.analyse import analyse_text

        result = analyse_text(text, rel, self.context)
        self.resources.extend(result.resources)
        self.errors.extend(result.errors)

    # -- results --

    def result(self) -> ParseResult:
        for rel, dependency, provider in self.packages:
            location = Location(rel, dependency.line)
            attributes: dict[str, object] = {
                "ecosystem": dependency.ecosystem, "name": dependency.name, "section": dependency.section,
            }
            if dependency.version:
                attributes["version"] = dependency.version
            signals = [Signal("sdk_package", dependency.key, location, dependency.section)]
            directory = posixpath.dirname(rel)
            if dependency.key.lower() in CODE_SCANNED and self.has_code(directory) and not self.calls_under(directory):
                why = f"no boto3 client calls found in the Python code under {posixpath.dirname(rel) or '.'}"
                signals.append(Signal("sdk_client", f"boto3:{UNKNOWN_SERVICE}", location, why))
            self.resources.append(Resource(
                source=SOURCE,
                kind="package",
                provider=provider,
                type=f"{dependency.ecosystem} package",
                address=dependency.key,
                location=location,
                signals=tuple(signals),
                attributes=attributes,
            ))
        return ParseResult(tuple(self.resources), tuple(self.errors), tuple(self.directives))

    def has_code(self, directory: str) -> bool:
        """Whether the scan holds Python code under the directory (a pre-commit run may name only the manifest)."""
        prefix = directory + "/" if directory else ""
        return any(rel.startswith(prefix) for rel in self.python_files)

    def calls_under(self, directory: str) -> int:
        prefix = directory + "/" if directory else ""
        return sum(len(found) for rel, found in self.code.items() if rel.startswith(prefix))


def _is_kubernetes_object(root: object) -> bool:
    return isinstance(root, YMap) and isinstance(root.get("apiVersion"), str) and isinstance(root.get("kind"), str)
