"""Links among many objects of one name are the nearest ones, as measuring each would find."""

from __future__ import annotations

import itertools

from portacheck.parse.kubernetes.links import _distance, _link
from portacheck.parse.kubernetes.objects import _Object


def _obj(path: str, kind: str, name: str, namespace: str = "", line: int = 1, refs=()) -> _Object:
    return _Object(path, line, "", "kubernetes", "v1", "core", kind, name, namespace, "workload" if refs else "object", refs=list(refs))


def test_many_service_accounts_of_one_name_link_each_workload_to_the_nearest():
    dirs = ["", "a", "a/b", "a/b/c", "a/d", "e", "e/f/g", "h/i"]
    accounts = [
        _obj(f"{d}/sa-{n}.yaml".lstrip("/"), "ServiceAccount", "default", namespace=ns, line=n + 1)
        for (d, n), ns in zip(itertools.product(dirs, range(3)), itertools.cycle(["", "prod", "dev"]), strict=False)
    ]
    workloads = [
        _obj(f"{d}/deploy.yaml".lstrip("/"), "Deployment", f"w{i}", namespace=ns, refs=[("ServiceAccount", "default")])
        for i, (d, ns) in enumerate(itertools.product(dirs + ["a/b/c/x", "z"], ["", "prod", "test"]))
    ]
    _link(accounts + workloads)
    for workload in workloads:
        fitting = [a for a in accounts if not a.namespace or not workload.namespace or a.namespace == workload.namespace]
        expected = min(fitting, key=lambda a: (_distance(a.path, workload.path), a.path, a.line))
        assert workload.links == [expected.key], workload.path
