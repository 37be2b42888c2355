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

    places: dict[tuple[str, str], _Places] = {}

    def nearest(kind: str, name: str, near: _Object) -> _Object | None:
        group = index.get((kind, name), ())
        if len(group) > _FEW:  # many objects of one name (`default`): found by walking up the tree
            if (kind, name) not in places:
                places[(kind, name)] = _Places(list(group))
            found = places[(kind, name)].nearest(near, lambda c: c is not near and _same_namespace(kind, c, near))
            if found is not None:
                return found
            candidates = []
        else:
            candidates = [c for c in group if c is not near and _same_namespace(kind, c, near)]
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


_FEW = 16  # up to this many objects of a name, each is measured against the one looking for it


class _Places:
    """Objects of one kind and name, found nearest first in the file tree without measuring each.

    Every object is listed under each directory that holds it, however deep, sorted by its own
    depth. Walking up from the directory of the one looking, `up` steps to an ancestor, the first
    acceptable object under that ancestor is the nearest through it (`up` + its depth below);
    once `up` is past the best distance found, nothing further up can be nearer. The result is
    what `min` by (_distance, path, line) over all of them gives, in time that grows with the
    depth of the tree rather than the number of objects."""

    def __init__(self, objects: list[_Object]):
        self.by_path: dict[str, list[_Object]] = {}
        self.under: dict[str, list[tuple[int, str, int, int, _Object]]] = {}
        for order, obj in enumerate(objects):
            self.by_path.setdefault(obj.path, []).append(obj)
            parts = obj.path.split("/")[:-1]
            for depth in range(len(parts) + 1):
                self.under.setdefault("/".join(parts[:depth]), []).append((len(parts), obj.path, obj.line, order, obj))
        for entries in self.under.values():
            entries.sort(key=lambda e: e[:4])

    def nearest(self, near: _Object, acceptable) -> _Object | None:
        same_file = [c for c in self.by_path.get(near.path, ()) if acceptable(c)]
        if same_file:  # distance -1
            return min(same_file, key=lambda c: c.line)
        parts = near.path.split("/")[:-1]
        best: tuple[int, str, int] | None = None
        chosen = None
        for up in range(len(parts) + 1):
            if best is not None and best[0] < up:
                break
            top = len(parts) - up
            for depth, path, line, _order, obj in self.under.get("/".join(parts[:top]), ()):
                if path == near.path or not acceptable(obj):
                    continue
                key = (up + depth - top, path, line)
                if best is None or key < best:
                    best, chosen = key, obj
                break  # the rest under this ancestor are deeper, or later in (path, line)
        return chosen


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
