"""Issue 16: Helm renders in workers kept alive between charts, renders and their analysis cached,
staging by links, CustomResourceDefinitions placed from a template's outline. Same findings, less work."""

from __future__ import annotations

import os

import pytest

from portacheck.cache import Cache
from portacheck.config import Config
from portacheck.parse.helm import HelmOptions, analyse, recall, render, stage
from portacheck.parse.helm.charts import ChartIndex, load_chart
from portacheck.parse.helm.locate import Template
from portacheck.report import render as report

from conftest import FIXTURES

needs_sdk = pytest.mark.skipif(not render.sdk_installed(), reason="helm-python-sdk (portacheck[helm]) is not installed")

CHART = {
    "web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "web/values.yaml": "bucket: logs\n",
    "web/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  bucket: {{ .Values.bucket }}\n",
}


def manifest(bucket: str) -> dict[str, str]:
    return {"web/templates/cm.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  bucket: {bucket}\n"}


@needs_sdk
def test_one_worker_renders_chart_after_chart(tree):
    chart = str(tree(CHART) / "web")
    with render.Pool() as pool:
        outcomes = [render.render(chart, {"bucket": name}, "web", "sdk", pool=pool) for name in ("a", "b", "c")]
        assert pool.started == 1
    assert outcomes == [render.Rendered(manifest(name), "sdk") for name in ("a", "b", "c")]


@needs_sdk
def test_a_worker_grown_past_its_resident_cap_is_replaced_after_its_chart(tree, monkeypatch):
    monkeypatch.setattr(render, "RETIRE_RSS", 0)
    chart = str(tree(CHART) / "web")
    with render.Pool() as pool:
        outcomes = [render.render(chart, {}, "web", "sdk", pool=pool) for _ in range(2)]
        assert (pool.started, pool._idle) == (2, [])
    assert outcomes == [render.Rendered(manifest("logs"), "sdk")] * 2


@needs_sdk
def test_a_worker_that_died_between_charts_is_replaced_and_the_chart_rendered(tree):
    chart = str(tree(CHART) / "web")
    with render.Pool() as pool:
        assert render.render(chart, {}, "web", "sdk", pool=pool) == render.Rendered(manifest("logs"), "sdk")
        [idle] = pool._idle
        idle.process.kill()
        idle.process.wait()
        assert render.render(chart, {}, "web", "sdk", pool=pool) == render.Rendered(manifest("logs"), "sdk")
        assert pool.started == 2


@needs_sdk
def test_a_chart_that_overruns_its_time_costs_its_worker_only():
    loop = str(FIXTURES / "helm" / "loop")
    good = str(FIXTURES / "helm" / "aws-web")
    with render.Pool() as pool:
        stopped = render.render(loop, {}, "loop", "sdk", timeout=1.5, pool=pool)
        after = render.render(good, {}, "aws-web", "sdk", pool=pool)
        assert pool.started == 2
    assert stopped == render.Failure("timeout", "rendering took longer than 1.5 s (a template may loop); stopped", "sdk")
    assert isinstance(after, render.Rendered)


def _json(assessment) -> str:
    import io

    out = io.StringIO()
    report("json", assessment, out)
    return out.getvalue()


@needs_sdk
def test_a_warm_scan_renders_nothing_and_finds_the_same(tree, scan, tmp_path, monkeypatch):
    root = tree(CHART)
    config = Config(cache_dir=str(tmp_path / "cache"), frontends={"helm": HelmOptions(optional="off")})
    cold = scan(root, config)
    assert os.listdir(tmp_path / "cache" / "helm")

    def refuse(*args, **kwargs):
        raise AssertionError("rendered with a warm cache")

    monkeypatch.setattr(render, "render", refuse)
    assert _json(scan(root, config)) == _json(cold)


# A chart with a vendored subchart, a user's values file and an optional feature (a switch that is off).
UMBRELLA = {
    "web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "web/values.yaml": "storageClass: standard\nirsa:\n  enabled: false\n",
    "web/templates/pvc.yaml": (
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: web\nspec:\n  storageClassName: {{ .Values.storageClass }}\n"
    ),
    "web/templates/sa.yaml": (
        "{{- if .Values.irsa.enabled }}\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  annotations:\n"
        "    eks.amazonaws.com/role-arn: arn:aws:iam::111111111111:role/web\n{{- end }}\n"
    ),
    "web/charts/db/Chart.yaml": "apiVersion: v2\nname: db\nversion: 1.0.0\n",
    "web/charts/db/values.yaml": "storageClass: standard\n",
    "web/charts/db/templates/pvc.yaml": (
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: db\nspec:\n  storageClassName: {{ .Values.storageClass }}\n"
    ),
    "prod.yaml": "storageClass: gp2\ndb:\n  storageClass: gp3\n",
}


def _umbrella_config(root, cache) -> Config:
    return Config(cache_dir=cache, frontends={"helm": HelmOptions(values=(str(root / "prod.yaml"),))})


@needs_sdk
def test_a_warm_scan_analyses_no_rendered_chart_and_finds_the_same_as_cold_and_off(tree, scan, tmp_path, monkeypatch):
    root = tree(UMBRELLA)
    config = _umbrella_config(root, str(tmp_path / "cache"))
    cold = _json(scan(root / "web", config))
    assert len(os.listdir(tmp_path / "cache" / recall.ANALYSIS)) == 1
    assert '"gp2"' in cold and '"gp3"' in cold and "role-arn" in cold  # the user's values, the subchart, the optional part

    def refuse(*args, **kwargs):
        raise AssertionError("rendered or analysed with a warm cache")

    with monkeypatch.context() as patched:
        patched.setattr(render, "render", refuse)
        patched.setattr(analyse, "_analyse", refuse)
        patched.setattr(analyse, "_optional", refuse)
        assert _json(scan(root / "web", config)) == cold
    assert _json(scan(root / "web", _umbrella_config(root, None))) == cold


@needs_sdk
def test_a_warm_scan_sees_a_moved_values_line_an_edited_template_and_another_scan_root(tree, scan, tmp_path):
    root = tree(UMBRELLA)
    config = _umbrella_config(root, str(tmp_path / "cache"))
    off = _umbrella_config(root, None)
    before = _json(scan(root / "web", config))
    # the same values one line lower: the same render, but the value's line in prod.yaml moves
    (root / "prod.yaml").write_text("# production\n" + UMBRELLA["prod.yaml"])
    moved = _json(scan(root / "web", config))
    assert moved != before
    assert moved == _json(scan(root / "web", off))
    # a label above the subchart's storage class: its template line moves
    pvc = root / "web" / "charts" / "db" / "templates" / "pvc.yaml"
    pvc.write_text(UMBRELLA["web/charts/db/templates/pvc.yaml"].replace("  name: db\n", "  name: db\n  labels:\n    tier: data\n"))
    edited = _json(scan(root / "web", config))
    assert edited != moved
    assert edited == _json(scan(root / "web", off))
    # the same chart and values (its own) scanned from the chart and from the directory above
    plain = {"helm": HelmOptions(optional="off")}
    alone = _json(scan(root / "web", Config(cache_dir=str(tmp_path / "cache"), frontends=plain)))
    above = _json(scan(root, Config(cache_dir=str(tmp_path / "cache"), frontends=plain)))
    assert '"charts/db/templates/pvc.yaml"' in alone and '"web/charts/db/templates/pvc.yaml"' in above
    assert above == _json(scan(root, Config(frontends=plain)))


def test_a_render_is_keyed_by_every_staged_file_the_values_and_the_renderer(tree, tmp_path):
    root = tree({**CHART, "web/charts/db/Chart.yaml": "apiVersion: v2\nname: db\nversion: 1.0.0\n"})
    cache = Cache(str(tmp_path / "cache"))
    staged = str(root / "web")
    first = recall.key(cache, staged, {"bucket": "a"}, "web", "sdk")
    assert recall.key(cache, staged, {"bucket": "a"}, "web", "sdk") == first
    assert recall.key(cache, staged, {"bucket": "b"}, "web", "sdk") != first
    assert recall.key(cache, staged, {"bucket": "a"}, "web", "binary") != first
    (root / "web" / "charts" / "db" / "Chart.yaml").write_text("apiVersion: v2\nname: db\nversion: 1.0.1\n")
    assert recall.key(cache, staged, {"bucket": "a"}, "web", "sdk") != first


def test_only_outcomes_the_same_input_always_gives_are_kept(tmp_path):
    cache = Cache(str(tmp_path))
    rendered = render.Rendered(manifest("a"), "sdk")
    failed = render.Failure("render", "web/templates/cm.yaml:3:1: boom", "sdk", "web/templates/cm.yaml", 3)
    for name, outcome in (("r", rendered), ("f", failed), ("t", render.Failure("timeout", "slow", "sdk"))):
        recall.store(cache, name, outcome)
    assert (recall.load(cache, "r"), recall.load(cache, "f"), recall.load(cache, "t")) == (rendered, failed, None)
    cache.put(recall.KIND, "odd", ("rendered", "sdk", (("key", 1),)))  # not of the shape stored: not trusted
    assert recall.load(cache, "odd") is None


def _plan(root, renders: bool):
    chart = load_chart(str(root / "web"), "web")
    scratch = root / "scratch"
    scratch.mkdir()
    index = ChartIndex(str(root), [chart], (), str(scratch), lambda path: False, lambda path: os.path.relpath(path, root))
    return stage.plan(chart, {}, index, str(scratch), lambda c: None, stage=renders), scratch


def test_staging_links_the_chart_files_and_copies_the_chart_file_it_rewrites(tree):
    root = tree(CHART)
    plan, _scratch = _plan(root, renders=True)
    original = root / "web" / "templates" / "cm.yaml"
    assert os.path.samefile(os.path.join(plan.staged, "templates", "cm.yaml"), original)
    assert not os.path.samefile(os.path.join(plan.staged, "Chart.yaml"), root / "web" / "Chart.yaml")
    assert (root / "web" / "Chart.yaml").read_text() == CHART["web/Chart.yaml"]


def test_nothing_is_staged_when_nothing_renders(tree):
    plan, scratch = _plan(tree(CHART), renders=False)
    assert (plan.staged, plan.root.name, os.listdir(scratch)) == ("", "web", [])


CRD = """{{- if .Values.crds }}
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: buckets.example.com
  labels: {{- include "labels" . | nindent 4 }}
spec:
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          description: |
            kind: not a key
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: queues.example.com
{{- end }}
"""


def test_an_outline_places_objects_as_the_full_key_structure_does():
    full, outline = Template.parse(CRD), Template.outline(CRD)
    assert outline is not None
    assert [(d.start, d.kind, d.first) for d in outline.docs] == [(d.start, d.kind, d.first) for d in full.docs] == [
        (1, "CustomResourceDefinition", 1), (15, "CustomResourceDefinition", 15),
    ]
    for ordinal in (0, 1):
        doc = outline.doc_for("CustomResourceDefinition", ordinal)
        assert outline.line_for("kind", doc) == full.line_for("kind", full.doc_for("CustomResourceDefinition", ordinal))
        assert outline.object_line(doc) == full.object_line(full.docs[doc.index])
    assert [k.path for k in outline.keys] == ["apiVersion", "kind", "metadata", "spec", "apiVersion", "kind", "metadata"]


def test_no_outline_when_a_nested_action_runs_over_lines():
    assert Template.outline(CRD.replace('{{- include "labels" . | nindent 4 }}', '{{- include "labels"\n      . | nindent 4 }}')) is None
