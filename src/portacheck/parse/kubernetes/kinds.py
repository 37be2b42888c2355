"""Kind-specific readers: what one kind of object says beyond what every object says."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portacheck._yaml import YList, YMap
from portacheck.parse.kubernetes.walk import _get, _text

if TYPE_CHECKING:
    from portacheck.parse.kubernetes.objects import _ObjectReader

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
