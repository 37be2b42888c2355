"""Links: references resolved by kind and name among the scanned objects."""

from __future__ import annotations

import os

from portacheck.parse.kubernetes.objects import _Object

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
            fronted = nearest("Service", name, obj)
            if fronted is not None:
                fronted.links.append(obj.key)  # the Service is fronted by this Ingress or route
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
    for x, y in zip(da, db, strict=False):  # the paths differ in depth
        if x != y:
            break
        common += 1
    return (len(da) - common) + (len(db) - common)
