"""Objects: one object's signals, each with the line of its key or value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from portacheck._yaml import DataError, YList, YMap, load_documents
from portacheck.model import Location, Origin, Resource, ScanError, Severity, Signal
from portacheck.parse.kubernetes.kinds import _IN_TREE_VOLUMES, _KIND_READERS
from portacheck.parse.kubernetes.walk import _decoded, _get, _keyed_mappings, _pod_specs, _string_leaves, _text

PROVIDER = "kubernetes"

# (group, kind) of objects that run containers; "*" matches any group.
WORKLOAD_KINDS = frozenset({
    ("core", "Pod"), ("core", "ReplicationController"), ("apps", "Deployment"), ("apps", "StatefulSet"),
    ("apps", "DaemonSet"), ("apps", "ReplicaSet"), ("batch", "Job"), ("batch", "CronJob"),
    ("extensions", "Deployment"), ("extensions", "DaemonSet"), ("extensions", "ReplicaSet"),
    ("serving.knative.dev", "Service"), ("argoproj.io", "Rollout"), ("apps.openshift.io", "DeploymentConfig"),
})
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
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


class _ObjectReader:
    """Reads one object's signals; every signal keeps the line of its key or value."""

    def __init__(self, node: YMap, rel: str, origin: str, source: str, patch: bool, offset: int, errors: list[ScanError]):
        self.node = node
        self.rel = rel
        self.offset = offset
        self.errors = errors
        given = node.get("metadata")
        metadata = given if isinstance(given, YMap) else YMap(node.line)
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
                for value in texts or [""]:
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
            if match and (section == "OUTPUT" or ("outputs:" in text and stripped.startswith("-"))):
                self.signal("telemetry_exporter", f"fluentbit:{match.group(1).lower()}", line + number, f"{context}: [OUTPUT] Name")
