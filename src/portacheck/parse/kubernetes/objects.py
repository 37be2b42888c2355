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
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Sequence

from portacheck._yaml import DataError, Document, YList, YMap, load_documents
from portacheck.errors import InputError
from portacheck.model import Location, Origin, ParseResult, Resource, ScanError, Severity, Signal, SourceFile
from portacheck.parse import ParseContext, read_source

SOURCE = "kubernetes"
PROVIDER = "kubernetes"
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_PEEK_BYTES = 64 * 1024

# (group, kind) of objects that run containers; "*" matches any group.
WORKLOAD_KINDS = frozenset({
    ("core", "Pod"), ("core", "ReplicationController"), ("apps", "Deployment"), ("apps", "StatefulSet"),
    ("apps", "DaemonSet"), ("apps", "ReplicaSet"), ("batch", "Job"), ("batch", "CronJob"),
    ("extensions", "Deployment"), ("extensions", "DaemonSet"), ("extensions", "ReplicaSet"),
    ("serving.knative.dev", "Service"), ("argoproj.io", "Rollout"), ("apps.openshift.io", "DeploymentConfig"),
})
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
# In-tree volume sources, reported under the in-tree provisioner names the CSI migration uses.
_IN_TREE_VOLUMES = {
    "awsElasticBlockStore": "kubernetes.io/aws-ebs",
    "gcePersistentDisk": "kubernetes.io/gce-pd",
    "azureDisk": "kubernetes.io/azure-disk",
    "azureFile": "kubernetes.io/azure-file",
    "cinder": "kubernetes.io/cinder",
    "vsphereVolume": "kubernetes.io/vsphere-volume",
    "portworxVolume": "kubernetes.io/portworx-volume",
}
# Environment variables whose literal value in a manifest is a long-lived cloud credential.
STATIC_CREDENTIALS = frozenset({
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AZURE_CLIENT_SECRET", "AZURE_STORAGE_KEY",
    "AZURE_STORAGE_CONNECTION_STRING", "GOOGLE_APPLICATION_CREDENTIALS_JSON", "GOOGLE_CREDENTIALS",
    "SCW_SECRET_KEY", "OS_PASSWORD", "HCLOUD_TOKEN", "OVH_APPLICATION_SECRET", "EXOSCALE_API_SECRET",
    "IONOS_TOKEN", "IONOS_PASSWORD", "STACKIT_SERVICE_ACCOUNT_KEY",
})
_SKIPPED_TEXT = ("kubectl.kubernetes.io/last-applied-configuration",)
# What tells whose metadata server a manifest calls at 169.254.169.254.
_METADATA_MARKERS = (
    ("google", ("Metadata-Flavor", "computeMetadata/v1")),
    ("azure", ("Metadata: true", "Metadata:true", "/metadata/instance", "/metadata/identity")),
    ("aws", ("X-aws-ec2-metadata-token", "/latest/meta-data", "/latest/api/token", "fd00:ec2::254")),
)
# Keys whose values are judged wherever they are nested (chart values, templates, operator specs).
_EMBEDDED_KEYS = {
    "annotations": "",
    "ingressClassName": "k8s_ingress_class",
    "storageClassName": "k8s_storage_class",
    "storageClass": "k8s_storage_class",
}
_TEXT_HINT = re.compile(r"[.:/]")
_FLUENT_BIT_NAME = re.compile(r"^-?\s*name\s*[:\s]\s*([A-Za-z0-9_.-]+)\s*$", re.I)  # `Name x` / `- name: x`
_VALUES_FILE = re.compile(r"^values([-_.][\w.-]*)?\.ya?ml$")


def parse(files: Sequence[SourceFile], context: ParseContext) -> ParseResult:
    errors: list[ScanError] = []
    patches = _kustomize_patches(files, context, errors)
    objects: list[_Object] = []
    calls = [
        (source, context.max_file_bytes, source.relpath in patches, patches.get(source.relpath, ""), patches.targets.get(source.relpath))
        for source in files
    ]
    # Serial on purpose: measured on 2,000 files, worker processes saved little (1.2 s -> 1.1 s)
    # because the objects they return must be pickled back.
    for found, problems in (_analyse_file(*call) for call in calls):
        objects.extend(found)
        errors.extend(problems)
    for kustomization, rel, line, text, origin in patches.inline:
        found, problems = _analyse(text, rel, origin, SOURCE, patch=True, line_offset=line - 1)
        objects.extend(found)
        errors.extend(problems)
    _link(objects)
    _link_kustomizations(objects, patches.includes)
    return ParseResult(tuple(o.resource() for o in objects), tuple(errors))


def _analyse_file(
    source: SourceFile, max_bytes: int, always: bool, origin: str, target: tuple[str, str] | None
) -> tuple[list[_Object], list[ScanError]]:
    """One file's objects and problems; never raises: a bug costs this file, not the scan."""
    errors: list[ScanError] = []
    text = _read(source, max_bytes, errors, always=always)
    if text is None:
        return [], errors
    try:
        found, problems = _analyse(text, source.relpath, origin, SOURCE, patch=bool(origin), target=target)
    except Exception as exc:  # noqa: BLE001 - reported as this file's error, see the docstring
        return [], errors + [ScanError(source.relpath, f"internal error while analysing this file ({type(exc).__name__}: {exc}); please report it")]
    return found, errors + problems


def analyse_text(text: str, relpath: str, context: ParseContext | None = None, *, origin: str = "", source: str = SOURCE) -> ParseResult:
    """Analyse a multi-document manifest text as the file `relpath` (rendered Helm output, say).

    Links are resolved among the objects of this text only.
    """
    objects, errors = _analyse(text, relpath, origin, source)
    _link(objects)
    return ParseResult(tuple(o.resource() for o in objects), tuple(errors))


def is_kubernetes_text(text: str) -> bool:
    return "apiVersion" in text and "kind" in text


# --- reading ---------------------------------------------------------------------------------


def _read(source: SourceFile, max_bytes: int, errors: list[ScanError], always: bool = False) -> str | None:
    """The text of a file worth parsing, None for files that are not manifests (silently).

    Kustomization files and the patches they name are always read (a JSON 6902 patch has no
    apiVersion); other files only when they mention both `apiVersion` and `kind`.
    """
    name = source.relpath.rsplit("/", 1)[-1]
    kustomization = always or name in KUSTOMIZATION_NAMES
    try:
        size = os.path.getsize(source.path)
        with open(source.path, "rb") as handle:
            head = handle.read(_PEEK_BYTES)
    except OSError as exc:
        errors.append(ScanError(source.relpath, f"cannot read: {exc.strerror or exc}"))
        return None
    looks_like = kustomization or is_values_file(name) or (b"apiVersion" in head and b"kind" in head)
    if not looks_like:
        return None
    if b"\x00" in head[:8192]:
        if name.endswith((".yaml", ".yml")):
            errors.append(ScanError(source.relpath, "binary file (contains NUL bytes); not analysed"))
        return None
    if size > max_bytes:
        errors.append(ScanError(source.relpath, f"file is larger than {max_bytes // (1024 * 1024)} MiB; not analysed"))
        return None
    try:
        text = read_source(source.path, max_bytes)
    except InputError as exc:
        errors.append(ScanError(source.relpath, exc.message, exc.line, exc.column))
        return None
    if not kustomization and not is_values_file(name) and not is_kubernetes_text(text):
        return None
    return text


def is_values_file(name: str) -> bool:
    """Helm values kept outside a chart (for a Terraform helm_release, Flux or Argo CD): read too."""
    return _VALUES_FILE.match(name) is not None


# --- objects ---------------------------------------------------------------------------------


@dataclass
class _Object:
    """What the analyser knows of one object before links are resolved."""

    path: str
    line: int
    origin: str
    source: str
    api_version: str
    group: str
    kind: str
    name: str
    namespace: str
    resource_kind: str  # workload, object, patch, reference
    signals: list[Signal] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)  # (Kind, name) this object relies on
    selector: dict[str, str] = field(default_factory=dict)  # a Service's pod selector
    pod_labels: dict[str, str] = field(default_factory=dict)  # a workload's pod template labels
    routes_to: list[str] = field(default_factory=list)  # Service names an Ingress or route sends to
    secret_target: str = ""  # the Secret an ExternalSecret writes
    attributes: dict[str, Any] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        kind = self.kind if self.resource_kind != "patch" else f"patch:{self.kind}"
        return f"{kind}/{self.namespace}/{self.name}" if self.namespace else f"{kind}/{self.name}"

    @property
    def key(self) -> str:
        return f"{self.path}#{self.address}"

    def resource(self) -> Resource:
        return Resource(
            source=self.source,
            kind=self.resource_kind,
            provider=PROVIDER,
            type=f"{self.api_version}/{self.kind}" if self.api_version else self.kind,
            address=self.address,
            location=Location(self.path, self.line, 0, Origin(via=self.origin)),
            signals=tuple(self.signals),
            attributes=self.attributes,
            links=tuple(dict.fromkeys(self.links)),
        )


def _analyse(
    text: str, rel: str, origin: str, source: str, patch: bool = False, line_offset: int = 0,
    target: tuple[str, str] | None = None,
) -> tuple[list[_Object], list[ScanError]]:
    errors: list[ScanError] = []
    name = rel.rsplit("/", 1)[-1]
    values = is_values_file(name) and not patch
    try:
        documents = load_documents(text)
    except DataError as exc:
        if values and not is_kubernetes_text(text):
            return [], []  # a values file that does not parse is no manifest: skipped silently
        line = exc.line + line_offset if exc.line else 0
        return [], [ScanError(rel, exc.message, line, exc.column)]
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


def image_repository(image: str) -> str:
    """An image reference without tag and digest, with Docker Hub's implied registry made explicit:
    `nginx:1.27` -> `docker.io/library/nginx`, `gcr.io/p/app:1@sha256:...` -> `gcr.io/p/app`."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    parts = name.split("/")
    if len(parts) == 1:
        parts = ["docker.io", "library"] + parts
    elif not ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = ["docker.io"] + parts
    return "/".join(parts).lower()


def _values_object(root: YMap, rel: str, origin: str, source: str, offset: int, errors: list[ScanError]) -> _Object:
    """Chart values outside a chart: nothing is deployed from the file itself, but its image
    registries, annotations, classes and endpoints configure a release, so they are judged."""
    reader = _ObjectReader(root, rel, origin, source, False, offset, errors)
    obj = reader.obj
    obj.kind, obj.name, obj.api_version, obj.group, obj.resource_kind = "HelmValues", rel, "", "helm", "reference"
    reader.strings(root, "")
    reader.telemetry(root, "")
    reader.embedded(root, "")
    return obj


def _group(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else "core"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class _ObjectReader:
    """Reads one object's signals; every signal keeps the line of its key or value."""

    def __init__(self, node: YMap, rel: str, origin: str, source: str, patch: bool, offset: int, errors: list[ScanError]):
        self.node = node
        self.rel = rel
        self.offset = offset
        self.errors = errors
        metadata = node.get("metadata") if isinstance(node.get("metadata"), YMap) else YMap(node.line)
        api_version = _text(node.get("apiVersion"))
        group = _group(api_version)
        kind = _text(node.get("kind"))
        if patch:
            resource_kind = "patch"
        elif (group, kind) in WORKLOAD_KINDS:
            resource_kind = "workload"
        else:
            resource_kind = "object"
        self.obj = _Object(
            path=rel,
            line=node.line + offset,
            origin=origin,
            source=source,
            api_version=api_version,
            group=group,
            kind=kind,
            name=_text(metadata.get("name")) or _text(metadata.get("generateName")) or "(unnamed)",
            namespace=_text(metadata.get("namespace")),
            resource_kind=resource_kind,
        )
        self.metadata = metadata
        self.contexts: set[str] = set()  # where signals were taken, so nested settings are not read twice

    # -- helpers --

    def loc(self, line: int) -> Location:
        return Location(self.rel, line + self.offset, 0, Origin(via=self.obj.origin))

    def signal(self, kind: str, value: str, line: int, context: str) -> None:
        if value:
            self.obj.signals.append(Signal(kind, value, self.loc(line), context))
            if kind != "text":
                self.contexts.add(context)

    def key_line(self, node: YMap, key: str) -> int:
        return node.key_lines.get(key, node.line)

    def value_line(self, node: YMap, key: str) -> int:
        return node.value_lines.get(key, node.line)

    # -- the object --

    def read(self) -> _Object:
        obj, node = self.obj, self.node
        self.signal("k8s_kind", f"{obj.group}/{obj.kind}", node.key_lines.get("kind", node.line), "kind")
        self.metadata_signals(self.metadata, "metadata")
        self.strings(node, "")
        spec = node.get("spec") if isinstance(node.get("spec"), YMap) else None
        for path, pod in _pod_specs(node, ""):
            self.pod_spec(pod, path)
        template = _get(node, "spec", "template", "metadata")
        if isinstance(template, YMap):
            self.metadata_signals(template, "spec.template.metadata", pod=True)
            labels = template.get("labels")
            if isinstance(labels, YMap):
                obj.pod_labels = {k: _text(v) for k, v in labels.items()}
        elif obj.group == "core" and obj.kind == "Pod":
            labels = self.metadata.get("labels")
            if isinstance(labels, YMap):
                obj.pod_labels = {k: _text(v) for k, v in labels.items()}
        reader = _KIND_READERS.get(obj.kind)
        if reader is not None:
            reader(self, spec if spec is not None else YMap(node.line))
        obj.attributes.update({"name": obj.name, "namespace": obj.namespace, "kind": obj.kind, "apiVersion": obj.api_version})
        if spec is not None and isinstance(spec.get("type"), str):
            obj.attributes["type"] = spec["type"]  # Service type: the one spec field a condition may want
        self.telemetry(node, "")
        self.embedded(node, "")
        self.metadata_server()
        return obj

    def metadata_signals(self, metadata: YMap, path: str, pod: bool = False) -> None:
        annotations = metadata.get("annotations")
        if isinstance(annotations, YMap):
            for key, value in annotations.items():
                self.signal("k8s_annotation", key, self.key_line(annotations, key), f"{path}.annotations.{key}")
                if key == "kubernetes.io/ingress.class" and isinstance(value, str):
                    self.signal("k8s_ingress_class", value, self.value_line(annotations, key), f"{path}.annotations.{key}")
                elif key in ("volume.beta.kubernetes.io/storage-class",) and isinstance(value, str):
                    self.signal("k8s_storage_class", value, self.value_line(annotations, key), f"{path}.annotations.{key}")
                elif key in ("cert-manager.io/cluster-issuer",) and isinstance(value, str):
                    self.obj.refs.append(("ClusterIssuer", value))
                elif key in ("cert-manager.io/issuer",) and isinstance(value, str):
                    self.obj.refs.append(("Issuer", value))
        labels = metadata.get("labels")
        if isinstance(labels, YMap):
            for key in labels:
                self.signal("k8s_label", key, self.key_line(labels, key), f"{path}.labels.{key}")

    def strings(self, node: Any, path: str) -> None:
        """Every string value that could hold a hostname, ARN or URI, for the endpoint matcher.

        A CustomResourceDefinition only describes a schema: its descriptions and examples
        mention providers without using them, so only its kind is judged.
        """
        if self.obj.kind == "CustomResourceDefinition":
            return
        for context, line, value in _string_leaves(node, path):
            if context.startswith(("apiVersion", "kind", "metadata.managedFields")) or context.endswith(_SKIPPED_TEXT):
                continue
            if context.startswith("data.") and self.obj.kind == "Secret" and self.obj.group == "core":
                value = _decoded(value)
            if _TEXT_HINT.search(value):
                self.signal("text", value, line, context)

    # -- pods --

    def pod_spec(self, pod: YMap, path: str) -> None:
        obj = self.obj
        for list_name in _CONTAINER_LISTS:
            containers = pod.get(list_name)
            if not isinstance(containers, YList):
                continue
            for i, container in enumerate(containers):
                if isinstance(container, YMap):
                    self.container(container, f"{path}.{list_name}[{i}]")
        selector = pod.get("nodeSelector")
        if isinstance(selector, YMap):
            for key, value in selector.items():
                self.node_label(key, value, self.key_line(selector, key), f"{path}.nodeSelector.{key}")
        affinity = pod.get("affinity")
        if isinstance(affinity, YMap):
            self.affinity(affinity, f"{path}.affinity")
        tolerations = pod.get("tolerations")
        if isinstance(tolerations, YList):
            for i, toleration in enumerate(tolerations):
                if isinstance(toleration, YMap) and isinstance(toleration.get("key"), str):
                    self.node_label(toleration["key"], toleration.get("value"), self.key_line(toleration, "key"), f"{path}.tolerations[{i}].key")
        spread = pod.get("topologySpreadConstraints")
        if isinstance(spread, YList):
            for i, constraint in enumerate(spread):
                if isinstance(constraint, YMap) and isinstance(constraint.get("topologyKey"), str):
                    self.node_label(constraint["topologyKey"], None, self.value_line(constraint, "topologyKey"), f"{path}.topologySpreadConstraints[{i}].topologyKey")
        account = _text(pod.get("serviceAccountName")) or _text(pod.get("serviceAccount"))
        if account:
            obj.refs.append(("ServiceAccount", account))
        volumes = pod.get("volumes")
        if isinstance(volumes, YList):
            for i, volume in enumerate(volumes):
                if isinstance(volume, YMap):
                    self.volume(volume, f"{path}.volumes[{i}]")

    def container(self, container: YMap, path: str) -> None:
        image = _text(container.get("image"))
        if image:  # the workload view ties a workload to the code its image is built from
            self.obj.attributes.setdefault("images", []).append(image)
            self.signal("k8s_image", image_repository(image), self.value_line(container, "image"), f"{path}.image")
        env = container.get("env")
        if isinstance(env, YList):
            for i, item in enumerate(env):
                if not isinstance(item, YMap) or not isinstance(item.get("name"), str):
                    continue
                name = item["name"]
                self.signal("k8s_env", name, self.value_line(item, "name"), f"{path}.env[{i}].name")
                literal = item.get("value")
                if name.upper() in STATIC_CREDENTIALS and isinstance(literal, str) and literal and not literal.startswith("$("):
                    self.errors.append(ScanError(
                        self.rel,
                        f"{name} is a cloud credential written into the manifest ({self.obj.address}); "
                        "move it to a Secret, better to workload identity",
                        self.value_line(item, "value") + self.offset,
                        severity=Severity.WARNING,
                    ))
                source = item.get("valueFrom")
                if isinstance(source, YMap):
                    for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                        ref = source.get(key)
                        if isinstance(ref, YMap) and isinstance(ref.get("name"), str):
                            self.obj.refs.append((kind, ref["name"]))
        env_from = container.get("envFrom")
        if isinstance(env_from, YList):
            for item in env_from:
                if isinstance(item, YMap):
                    for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                        ref = item.get(key)
                        if isinstance(ref, YMap) and isinstance(ref.get("name"), str):
                            self.obj.refs.append((kind, ref["name"]))
        if "external-dns" in image:
            self.external_dns(container, path)

    def external_dns(self, container: YMap, path: str) -> None:
        args = container.get("args")
        if not isinstance(args, YList):
            return
        for i, arg in enumerate(args):
            if not isinstance(arg, str):
                continue
            value = ""
            if arg.startswith("--provider="):
                value = arg.split("=", 1)[1]
            elif arg == "--provider" and i + 1 < len(args) and isinstance(args[i + 1], str):
                value = args[i + 1]
            if value:
                self.signal("k8s_external_dns_provider", value.strip(), args.item_lines[i], f"{path}.args[{i}]")

    def node_label(self, key: str, value: Any, line: int, context: str) -> None:
        value = value if isinstance(value, str) else ""
        self.signal("k8s_node_label", f"{key}={value}" if value else key, line, context)

    def affinity(self, affinity: YMap, path: str) -> None:
        node_affinity = affinity.get("nodeAffinity")
        if isinstance(node_affinity, YMap):
            required = _get(node_affinity, "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
            if isinstance(required, YList):
                for i, term in enumerate(required):
                    self.match_expressions(term, f"{path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[{i}]")
            preferred = node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution")
            if isinstance(preferred, YList):
                for i, item in enumerate(preferred):
                    if isinstance(item, YMap):
                        self.match_expressions(item.get("preference"), f"{path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[{i}].preference")
        for kind in ("podAffinity", "podAntiAffinity"):
            section = affinity.get(kind)
            if not isinstance(section, YMap):
                continue
            for mode, terms in section.items():
                if not isinstance(terms, YList):
                    continue
                for i, term in enumerate(terms):
                    if isinstance(term, YMap) and isinstance(term.get("podAffinityTerm"), YMap):
                        term = term["podAffinityTerm"]
                    if isinstance(term, YMap) and isinstance(term.get("topologyKey"), str):
                        self.node_label(term["topologyKey"], None, self.value_line(term, "topologyKey"), f"{path}.{kind}.{mode}[{i}].topologyKey")

    def match_expressions(self, term: Any, path: str, key_name: str = "matchExpressions") -> None:
        if not isinstance(term, YMap):
            return
        for name in (key_name, "matchFields", "matchLabelExpressions"):
            expressions = term.get(name)
            if not isinstance(expressions, YList):
                continue
            for i, expression in enumerate(expressions):
                if not isinstance(expression, YMap) or not isinstance(expression.get("key"), str):
                    continue
                if _text(expression.get("operator")) in ("NotIn", "DoesNotExist", "Lt", "Gt"):
                    continue  # keeping pods away from provider nodes does not tie them to the provider
                key = expression["key"]
                line = self.value_line(expression, "key")
                values = expression.get("values")
                texts = [v for v in values if isinstance(v, str)] if isinstance(values, YList) else []
                for value in texts or [None]:
                    self.node_label(key, value, line, f"{path}.{name}[{i}].key")

    def volume(self, volume: YMap, path: str) -> None:
        obj = self.obj
        for key, kind, name_key in (
            ("persistentVolumeClaim", "PersistentVolumeClaim", "claimName"),
            ("configMap", "ConfigMap", "name"),
            ("secret", "Secret", "secretName"),
        ):
            ref = volume.get(key)
            if isinstance(ref, YMap) and isinstance(ref.get(name_key), str):
                obj.refs.append((kind, ref[name_key]))
        projected = _get(volume, "projected", "sources")
        if isinstance(projected, YList):
            for item in projected:
                if isinstance(item, YMap):
                    for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                        ref = item.get(key)
                        if isinstance(ref, YMap) and isinstance(ref.get("name"), str):
                            obj.refs.append((kind, ref["name"]))
        csi = volume.get("csi")
        if isinstance(csi, YMap):
            self.signal("k8s_storage_provisioner", _text(csi.get("driver")), self.value_line(csi, "driver"), f"{path}.csi.driver")
            provider_class = _get(csi, "volumeAttributes", "secretProviderClass")
            if isinstance(provider_class, str):
                obj.refs.append(("SecretProviderClass", provider_class))
        for key, provisioner in _IN_TREE_VOLUMES.items():
            if key in volume:
                self.signal("k8s_storage_provisioner", provisioner, self.key_line(volume, key), f"{path}.{key}")
        claim = _get(volume, "ephemeral", "volumeClaimTemplate", "spec")
        if isinstance(claim, YMap):
            self.storage_class(claim, f"{path}.ephemeral.volumeClaimTemplate.spec")

    def storage_class(self, spec: YMap, path: str) -> None:
        name = spec.get("storageClassName")
        if isinstance(name, str) and name:
            self.signal("k8s_storage_class", name, self.value_line(spec, "storageClassName"), f"{path}.storageClassName")
            self.obj.refs.append(("StorageClass", name))

    def metadata_server(self) -> None:
        """169.254.169.254 is every cloud's (and OpenStack's) metadata address: the provider is told
        by the header or path the same object sends with it (`Metadata-Flavor: Google`, ...)."""
        texts = [s for s in self.obj.signals if s.kind == "text"]
        calls = [s for s in texts if "169.254.169.254" in s.value or "fd00:ec2::254" in s.value]
        if not calls:
            return
        everything = "\n".join(s.value for s in texts)
        for provider, markers in _METADATA_MARKERS:
            if any(marker in everything for marker in markers):
                call = calls[0]
                self.signal("metadata_server", provider, call.location.line - self.offset, call.context)

    def embedded(self, node: Any, path: str) -> None:
        """Provider settings nested where templates and chart values live: HelmRelease and Argo CD
        values, kro and Crossplane templates, operator specs. Annotation keys and class names are
        judged wherever they sit; those already read in their usual place are skipped."""
        for where, owner, key in _keyed_mappings(node, path, _EMBEDDED_KEYS):
            context = f"{where}.{key}" if where else key
            value = owner[key]
            if key == "annotations" and isinstance(value, YMap):
                for name in value:
                    if f"{context}.{name}" not in self.contexts:
                        self.signal("k8s_annotation", name, value.key_lines.get(name, value.line), f"{context}.{name}")
            elif isinstance(value, str) and value not in ("", "-") and context not in self.contexts and key in _EMBEDDED_KEYS:
                kind = _EMBEDDED_KEYS[key]
                if kind:
                    self.signal(kind, value, owner.value_lines.get(key, owner.line), context)

    def telemetry(self, node: Any, path: str) -> None:
        """OpenTelemetry Collector exporters and Fluent Bit outputs, in mappings or embedded config text."""
        for context, owner, _key in _keyed_mappings(node, path, ("exporters",)):
            exporters = owner["exporters"]
            if isinstance(exporters, YMap) and ("receivers" in owner or "service" in owner):
                for key in exporters:
                    self.signal("telemetry_exporter", f"otel:{key.split('/', 1)[0]}", self.key_line(exporters, key), f"{context}.exporters.{key}")
        for context, line, value in _string_leaves(node, path):
            if "\n" not in value:
                continue
            if "exporters:" in value:
                self.embedded_otel(value, line, context)
            if "[OUTPUT]" in value.upper() or "outputs:" in value:
                self.fluent_bit(value, line, context)

    def embedded_otel(self, text: str, line: int, context: str) -> None:
        try:
            documents = load_documents(text)
        except DataError:
            return
        for document in documents:
            root = document.root
            exporters = root.get("exporters") if isinstance(root, YMap) else None
            if isinstance(exporters, YMap):
                for key in exporters:
                    self.signal("telemetry_exporter", f"otel:{key.split('/', 1)[0]}", line + exporters.key_lines.get(key, 1) - 1, f"{context}: exporters.{key}")

    def fluent_bit(self, text: str, line: int, context: str) -> None:
        section = ""
        for number, row in enumerate(text.splitlines()):
            stripped = row.strip()
            if stripped.startswith("[") and stripped.endswith("]"):
                section = stripped.strip("[]").upper()
                continue
            match = _FLUENT_BIT_NAME.match(stripped)
            if match and (section == "OUTPUT" or "outputs:" in text and stripped.startswith("-")):
                self.signal("telemetry_exporter", f"fluentbit:{match.group(1).lower()}", line + number, f"{context}: [OUTPUT] Name")


# --- kind-specific readers -------------------------------------------------------------------


def _storage_class_object(reader: _ObjectReader, spec: YMap) -> None:
    node = reader.node
    reader.signal("k8s_storage_provisioner", _text(node.get("provisioner")), reader.value_line(node, "provisioner"), "provisioner")
    topologies = node.get("allowedTopologies")
    if isinstance(topologies, YList):
        for i, term in enumerate(topologies):
            reader.match_expressions(term, f"allowedTopologies[{i}]", "matchLabelExpressions")


def _claim(reader: _ObjectReader, spec: YMap) -> None:
    reader.storage_class(spec, "spec")


def _volume(reader: _ObjectReader, spec: YMap) -> None:
    reader.storage_class(spec, "spec")
    csi = spec.get("csi")
    if isinstance(csi, YMap):
        reader.signal("k8s_storage_provisioner", _text(csi.get("driver")), reader.value_line(csi, "driver"), "spec.csi.driver")
    for key, provisioner in _IN_TREE_VOLUMES.items():
        if key in spec:
            reader.signal("k8s_storage_provisioner", provisioner, reader.key_line(spec, key), f"spec.{key}")
    terms = _get(spec, "nodeAffinity", "required", "nodeSelectorTerms")
    if isinstance(terms, YList):
        for i, term in enumerate(terms):
            reader.match_expressions(term, f"spec.nodeAffinity.required.nodeSelectorTerms[{i}]")


def _stateful_set(reader: _ObjectReader, spec: YMap) -> None:
    templates = spec.get("volumeClaimTemplates")
    if isinstance(templates, YList):
        for i, template in enumerate(templates):
            claim = template.get("spec") if isinstance(template, YMap) else None
            if isinstance(claim, YMap):
                reader.storage_class(claim, f"spec.volumeClaimTemplates[{i}].spec")


def _service(reader: _ObjectReader, spec: YMap) -> None:
    if reader.obj.group != "core":
        return  # a Knative Service is a workload, read as one
    reader.signal("k8s_lb_class", _text(spec.get("loadBalancerClass")), reader.value_line(spec, "loadBalancerClass"), "spec.loadBalancerClass")
    selector = spec.get("selector")
    if isinstance(selector, YMap):
        reader.obj.selector = {k: _text(v) for k, v in selector.items()}


def _ingress(reader: _ObjectReader, spec: YMap) -> None:
    name = _text(spec.get("ingressClassName"))
    if name:
        reader.signal("k8s_ingress_class", name, reader.value_line(spec, "ingressClassName"), "spec.ingressClassName")
        reader.obj.refs.append(("IngressClass", name))
    backends = []
    default = spec.get("defaultBackend") or spec.get("backend")
    if isinstance(default, YMap):
        backends.append(default)
    rules = spec.get("rules")
    if isinstance(rules, YList):
        for rule in rules:
            paths = _get(rule, "http", "paths")
            if isinstance(paths, YList):
                backends.extend(p["backend"] for p in paths if isinstance(p, YMap) and isinstance(p.get("backend"), YMap))
    for backend in backends:
        name = _text(_get(backend, "service", "name")) or _text(backend.get("serviceName"))
        if name:
            reader.obj.routes_to.append(name)


def _ingress_class(reader: _ObjectReader, spec: YMap) -> None:
    reader.signal("k8s_ingress_controller", _text(spec.get("controller")), reader.value_line(spec, "controller"), "spec.controller")


def _gateway_class(reader: _ObjectReader, spec: YMap) -> None:
    reader.signal("k8s_gateway_class", _text(spec.get("controllerName")), reader.value_line(spec, "controllerName"), "spec.controllerName")


def _gateway(reader: _ObjectReader, spec: YMap) -> None:
    name = _text(spec.get("gatewayClassName"))
    if name:
        reader.signal("k8s_gateway_class", name, reader.value_line(spec, "gatewayClassName"), "spec.gatewayClassName")
        reader.obj.refs.append(("GatewayClass", name))


def _route(reader: _ObjectReader, spec: YMap) -> None:
    parents = spec.get("parentRefs")
    if isinstance(parents, YList):
        for parent in parents:
            if isinstance(parent, YMap) and isinstance(parent.get("name"), str):
                reader.obj.refs.append((_text(parent.get("kind")) or "Gateway", parent["name"]))
    rules = spec.get("rules")
    if isinstance(rules, YList):
        for rule in rules:
            refs = rule.get("backendRefs") if isinstance(rule, YMap) else None
            if isinstance(refs, YList):
                for ref in refs:
                    if isinstance(ref, YMap) and isinstance(ref.get("name"), str) and _text(ref.get("kind")) in ("", "Service"):
                        reader.obj.routes_to.append(ref["name"])


def _secret_provider_class(reader: _ObjectReader, spec: YMap) -> None:
    reader.signal("k8s_secret_provider", _text(spec.get("provider")), reader.value_line(spec, "provider"), "spec.provider")


def _secret_store(reader: _ObjectReader, spec: YMap) -> None:
    if not reader.obj.group.startswith("external-secrets.io"):
        return
    provider = spec.get("provider")
    if not isinstance(provider, YMap):
        return
    for key, settings in provider.items():
        value = key
        if key == "aws":
            service = _text(settings.get("service")) if isinstance(settings, YMap) else ""
            value = f"aws/{service or 'SecretsManager'}"
        reader.signal("k8s_secret_store", value, reader.key_line(provider, key), f"spec.provider.{key}")


def _external_secret(reader: _ObjectReader, spec: YMap) -> None:
    if not reader.obj.group.startswith("external-secrets.io"):
        return
    store = spec.get("secretStoreRef")
    if isinstance(store, YMap) and isinstance(store.get("name"), str):
        reader.obj.refs.append((_text(store.get("kind")) or "SecretStore", store["name"]))
    reader.obj.secret_target = _text(_get(spec, "target", "name")) or reader.obj.name


def _issuer(reader: _ObjectReader, spec: YMap) -> None:
    if not reader.obj.group.startswith("cert-manager.io"):
        return
    solvers = _get(spec, "acme", "solvers")
    if not isinstance(solvers, YList):
        return
    for i, solver in enumerate(solvers):
        dns01 = solver.get("dns01") if isinstance(solver, YMap) else None
        if not isinstance(dns01, YMap):
            continue
        for key, settings in dns01.items():
            if key in ("cnameStrategy",):
                continue
            value = key
            if key == "webhook" and isinstance(settings, YMap):
                value = f"webhook/{_text(settings.get('groupName')) or 'unknown'}"
            reader.signal("k8s_dns01_solver", value, reader.key_line(dns01, key), f"spec.acme.solvers[{i}].dns01.{key}")


def _karpenter_pool(reader: _ObjectReader, spec: YMap) -> None:
    reader.match_expressions(_get(spec, "template", "spec"), "spec.template.spec", "requirements")


_KIND_READERS = {
    "StorageClass": _storage_class_object,
    "PersistentVolumeClaim": _claim,
    "PersistentVolume": _volume,
    "StatefulSet": _stateful_set,
    "Service": _service,
    "Ingress": _ingress,
    "IngressClass": _ingress_class,
    "GatewayClass": _gateway_class,
    "Gateway": _gateway,
    "HTTPRoute": _route,
    "GRPCRoute": _route,
    "TLSRoute": _route,
    "TCPRoute": _route,
    "UDPRoute": _route,
    "SecretProviderClass": _secret_provider_class,
    "SecretStore": _secret_store,
    "ClusterSecretStore": _secret_store,
    "ExternalSecret": _external_secret,
    "Issuer": _issuer,
    "ClusterIssuer": _issuer,
    "NodePool": _karpenter_pool,
}


# --- Kustomize -------------------------------------------------------------------------------


class _Patches(dict):
    """Patch file relpath -> origin text; inline patches as (kustomization, rel, line, text, origin).

    `targets` holds the (kind, name) a patch entry names, which a JSON 6902 patch needs to say
    what it patches; `includes` the files and directories each kustomization builds from.
    """

    def __init__(self):
        super().__init__()
        self.inline: list[tuple[str, str, int, str, str]] = []
        self.targets: dict[str, tuple[str, str]] = {}
        self.includes: dict[str, list[str]] = {}


def _kustomize_patches(files: Sequence[SourceFile], context: ParseContext, errors: list[ScanError]) -> _Patches:
    patches = _Patches()
    for source in files:
        if source.relpath.rsplit("/", 1)[-1] not in KUSTOMIZATION_NAMES:
            continue
        try:
            documents = load_documents(read_source(source.path, context.max_file_bytes))
        except (InputError, DataError):
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
            head, found, key = path.partition(marker + "/")
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


# --- links -----------------------------------------------------------------------------------

_NAMESPACED_LOOSE = frozenset({"StorageClass", "IngressClass", "GatewayClass", "ClusterIssuer", "ClusterSecretStore", "PersistentVolume"})


def _link(objects: list[_Object]) -> None:
    """Resolve references by kind and name, preferring the object nearest in the file tree."""
    index: dict[tuple[str, str], list[_Object]] = {}
    for obj in objects:
        if obj.resource_kind != "patch":
            index.setdefault((obj.kind, obj.name), []).append(obj)
    secrets_made: dict[str, list[_Object]] = {}
    for obj in objects:
        if obj.secret_target:
            secrets_made.setdefault(obj.secret_target, []).append(obj)

    def nearest(kind: str, name: str, near: _Object) -> _Object | None:
        candidates = [c for c in index.get((kind, name), ()) if c is not near and _same_namespace(kind, c, near)]
        if not candidates and kind == "Secret":
            candidates = [c for c in secrets_made.get(name, ()) if _same_namespace(kind, c, near)]
        if not candidates:
            return None
        return min(candidates, key=lambda c: (_distance(c.path, near.path), c.path, c.line))

    by_selector: dict[tuple[str, str], list[_Object]] = {}  # one (label, value) of each Service's selector
    for service in objects:
        if service.kind == "Service" and service.group == "core" and service.selector and service.resource_kind != "patch":
            first = sorted(service.selector.items())[0]
            by_selector.setdefault(first, []).append(service)
    for obj in objects:
        for kind, name in obj.refs:
            target = nearest(kind, name, obj)
            if target is not None:
                obj.links.append(target.key)
        for name in obj.routes_to:
            service = nearest("Service", name, obj)
            if service is not None:
                service.links.append(obj.key)  # the Service is fronted by this Ingress or route
    for obj in objects:
        if obj.resource_kind != "workload" or not obj.pod_labels:
            continue
        chosen: dict[str, _Object] = {}  # by Service name: the nearest Service of that name
        for pair in obj.pod_labels.items():
            for service in by_selector.get(pair, ()):
                if _same_namespace("Service", service, obj) and all(obj.pod_labels.get(k) == v for k, v in service.selector.items()):
                    best = chosen.get(service.name)
                    if best is None or _distance(service.path, obj.path) < _distance(best.path, obj.path):
                        chosen[service.name] = service
        obj.links.extend(service.key for _name, service in sorted(chosen.items()))
    patches = [o for o in objects if o.resource_kind == "patch"]
    for patch in patches:
        for target in index.get((patch.kind, patch.name), ()):
            if _same_namespace(patch.kind, target, patch):
                target.links.append(patch.key)


def _link_kustomizations(objects: list[_Object], includes: dict[str, list[str]]) -> None:
    """A workload built by a kustomization is linked to it: its `images:` overrides and patches apply."""
    kustomizations = {o.path: o for o in objects if o.resource_kind == "reference" and o.path in includes}
    by_dir = {os.path.dirname(path): path for path in kustomizations}

    def files_of(path: str, seen: set[str]) -> set[str]:
        if path in seen:
            return set()
        seen.add(path)
        result: set[str] = set()
        for entry in includes.get(path, ()):
            if entry in by_dir:  # a directory with its own kustomization
                result |= files_of(by_dir[entry], seen)
            else:
                result.add(entry)
        return result

    for path, kustomization in sorted(kustomizations.items()):
        built = files_of(path, set())
        for obj in objects:
            if obj.resource_kind == "workload" and obj.path in built:
                obj.links.append(kustomization.key)


def _same_namespace(kind: str, a: _Object, b: _Object) -> bool:
    return kind in _NAMESPACED_LOOSE or not a.namespace or not b.namespace or a.namespace == b.namespace


def _distance(a: str, b: str) -> int:
    if a == b:
        return -1
    da, db = a.split("/")[:-1], b.split("/")[:-1]
    common = 0
    for x, y in zip(da, db):
        if x != y:
            break
        common += 1
    return (len(da) - common) + (len(db) - common)


# --- tree walking ----------------------------------------------------------------------------


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, YMap):
            return None
        node = node.get(key)
    return node


def _pod_specs(node: Any, path: str, depth: int = 0) -> Iterator[tuple[str, YMap]]:
    """Every mapping that holds a list of containers: pod specs of any workload, CRDs included."""
    if depth > 12:
        return
    if isinstance(node, YMap):
        if isinstance(node.get("containers"), YList) and path.rsplit(".", 1)[-1] != "metadata":
            yield path, node
            return
        for key, value in node.items():
            if key in ("metadata", "status", "data", "stringData"):
                continue
            if isinstance(value, (YMap, YList)):
                yield from _pod_specs(value, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(node, YList):
        for i, item in enumerate(node):
            yield from _pod_specs(item, f"{path}[{i}]", depth + 1)


def _string_leaves(node: Any, path: str) -> Iterator[tuple[str, int, str]]:
    """(dotted path, line, value) of every string scalar below node."""
    stack: list[tuple[Any, str, int]] = [(node, path, getattr(node, "line", 0))]
    while stack:
        value, where, line = stack.pop()
        if isinstance(value, YMap):
            for key in reversed(list(value)):
                stack.append((value[key], f"{where}.{key}" if where else key, value.value_lines.get(key, value.line)))
        elif isinstance(value, YList):
            for i in range(len(value) - 1, -1, -1):
                stack.append((value[i], f"{where}[{i}]", value.item_lines[i] if i < len(value.item_lines) else value.line))
        elif isinstance(value, str) and value:
            yield where, line, value


def _keyed_mappings(node: Any, path: str, keys: Any, depth: int = 0) -> Iterator[tuple[str, YMap, str]]:
    """(path, mapping, key) for every mapping below node holding one of keys, in one walk."""
    if depth > 24:
        return
    if isinstance(node, YMap):
        for key, value in node.items():
            if key in keys:
                yield path, node, key
            if isinstance(value, (YMap, YList)):
                yield from _keyed_mappings(value, f"{path}.{key}" if path else key, keys, depth + 1)
    elif isinstance(node, YList):
        for i, item in enumerate(node):
            yield from _keyed_mappings(item, f"{path}[{i}]", keys, depth + 1)


def _decoded(value: str) -> str:
    """A Secret's base64 data as text when it decodes to UTF-8; the raw value otherwise."""
    try:
        raw = base64.b64decode("".join(value.split()), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return value
