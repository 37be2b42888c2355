"""Helm charts: rendered offline, analysed as manifests, findings at the template and values lines.

Every chart of fixtures/helm is rendered once per module (renders take a few hundred
milliseconds each, in a child process); the tests read those assessments.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import subprocess
import sys
import tarfile
import textwrap
import time

import pytest

from portacheck.config import Config
from portacheck.parse.helm import HelmChart, HelmOptions
from portacheck.parse.helm.locate import Chain, Source, Template, find_value
from portacheck.parse.helm.render import sdk_installed, shorten, split_sources
from portacheck.parse.helm.semver import satisfies
from portacheck.parse.helm.values import Values, enabled, load_values, parse_set
from portacheck.rules.loader import load_catalogue
from portacheck.scan import run

from conftest import FIXTURES, ROOT

HELM = FIXTURES / "helm"
needs_sdk = pytest.mark.skipif(not sdk_installed(), reason="helm-python-sdk (portacheck[helm]) is not installed")


@pytest.fixture(scope="module")
def module_catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def scanned(module_catalogue):
    """Assessments of each fixture chart, computed once: name -> Assessment."""
    cache = {}

    def get(name: str, **options):
        key = (name, tuple(sorted(options.items())))
        if key not in cache:
            path = HELM / name.split(":")[0]
            cache[key] = run([str(path)], helm_config(**options), catalogue=module_catalogue)
        return cache[key]

    return get


def helm_config(**options) -> Config:
    """Optional features are off unless a test asks: these tests are about the default render."""
    return Config(frontends={"helm": HelmOptions(**{"optional": "off", **options})})


def table(assessment, *, p0: bool = False):
    """(rule id, file, line, level, values file, values line) of every finding above P0."""
    rows = []
    for f in assessment.findings:
        if f.level.value == "P0" and not p0:
            continue
        where = f.signal.values_location
        rows.append((f.rule.id, f.location.path, f.location.line, f.level.value, where.path if where else None, where.line if where else None))
    return sorted(rows)


def errors(assessment):
    return [str(e) for e in assessment.errors]


# --- a chart with AWS-specific values, and the values that make it portable ----------------


@needs_sdk
def test_aws_values_point_at_the_template_line_and_the_values_line(scanned):
    assessment = scanned("aws-web")
    assert table(assessment) == [
        ("AWS-EBS-CLASS-NAME", "templates/pvc.yaml", 9, "P1", "values.yaml", 16),
        ("AWS-ECR", "templates/deployment.yaml", 20, "P1", "values.yaml", 5),
        ("AWS-EKS-IRSA", "templates/serviceaccount.yaml", 10, "P2", "values.yaml", 12),
        ("AWS-LB-CONTROLLER", "templates/ingress.yaml", 8, "P2", "values.yaml", 23),
        ("AWS-LB-CONTROLLER", "templates/ingress.yaml", 8, "P2", "values.yaml", 24),
        ("AWS-LB-CONTROLLER", "templates/ingress.yaml", 11, "P2", "values.yaml", 21),
    ]
    assert not assessment.errors
    assert {str(f.location.origin) for f in assessment.findings} == {"chart web"}
    assert {f.resource.source for f in assessment.findings} == {"helm"}


@needs_sdk
def test_chart_objects_are_resources_and_workloads_like_any_manifest(scanned):
    assessment = scanned("aws-web")
    resources = sorted((v.resource.address, v.resource.location.path, v.resource.location.line, v.level.value) for v in assessment.verdicts)
    assert resources == [
        ("Deployment/web", "templates/deployment.yaml", 1, "P1"),  # its own finding: the ECR image
        ("Ingress/web", "templates/ingress.yaml", 2, "P2"),
        ("PersistentVolumeClaim/web-data", "templates/pvc.yaml", 2, "P1"),
        ("Service/web", "templates/service.yaml", 1, "P0"),
        ("ServiceAccount/web", "templates/serviceaccount.yaml", 2, "P2"),
    ]
    deployment = next(r for r in assessment.verdicts if r.resource.address == "Deployment/web").resource
    assert deployment.kind == "workload"
    assert set(deployment.links) == {
        "templates/serviceaccount.yaml#ServiceAccount/web",
        "templates/pvc.yaml#PersistentVolumeClaim/web-data",
        "templates/service.yaml#Service/web",
    }


@needs_sdk
def test_portable_values_leave_no_provider_finding(scanned):
    assessment = scanned("aws-web", values=(str(HELM / "aws-web" / "values-portable.yaml"),))
    assert table(assessment) == []
    assert not assessment.errors
    ingress_class = [f for f in assessment.findings if f.signal.kind == "k8s_ingress_class"]
    assert [(f.rule.id, f.signal.value, f.signal.values_location.path, f.signal.values_location.line) for f in ingress_class] == [
        ("K8S-OSS-NETWORKING", "nginx", "values-portable.yaml", 12)
    ]


@needs_sdk
def test_values_that_are_not_rendered_are_not_findings(scanned):
    """metrics.enabled is false and the SQS line is a comment: neither is a finding."""
    values = [f.signal.value for f in scanned("aws-web").findings]
    assert not [v for v in values if "monitoring." in v or "sqs." in v]


@needs_sdk
def test_helm_set_wins_over_values_files_and_says_so(scanned):
    assessment = scanned("aws-web", set=("ingress.className=nginx", "persistence.enabled=false"))
    rows = table(assessment)
    assert ("AWS-LB-CONTROLLER", "templates/ingress.yaml", 11, "P2", "values.yaml", 21) not in rows
    assert not [r for r in rows if r[0] == "AWS-EBS-CLASS-NAME"]  # no claim rendered at all
    nginx = next(f for f in assessment.findings if f.signal.kind == "k8s_ingress_class")
    assert (nginx.signal.value, str(nginx.signal.values_location)) == ("nginx", "--helm-set")


@needs_sdk
def test_configuration_file_values_per_chart(scanned, module_catalogue):
    chart = str(HELM / "aws-web")
    config = helm_config(charts={chart: HelmChart(values=(os.path.join(chart, "values-portable.yaml"),))})
    assessment = run([chart], config, catalogue=module_catalogue)
    assert table(assessment) == []


# --- dependencies -------------------------------------------------------------------------


@needs_sdk
def test_vendored_dependencies_with_alias_condition_tag_and_archive(scanned):
    assessment = scanned("vendored")
    assert table(assessment) == [
        ("AWS-EBS-CLASS-NAME", "charts/redis/templates/statefulset.yaml", 24, "P1", "values.yaml", 4),  # cache.persistence
        ("AZURE-ACR", "charts/metrics-0.2.0.tgz", 0, "P1", "charts/metrics-0.2.0.tgz", 0),  # enabled by tags.monitoring
    ]
    acr = next(f for f in assessment.findings if f.rule.id == "AZURE-ACR")
    assert str(acr.location.origin) == "chart shop/metrics (metrics/templates/deployment.yaml)"
    assert str(acr.signal.values_location.origin) == "metrics/values.yaml:1"
    ebs = next(f for f in assessment.findings if f.rule.id == "AWS-EBS-CLASS-NAME")
    assert (str(ebs.location.origin), ebs.resource.address) == ("chart shop/cache", "StatefulSet/shop-cache")
    assert not [f for f in assessment.findings if "sqs." in f.signal.value]  # queue.enabled: false
    assert not assessment.errors


@needs_sdk
def test_missing_dependency_warns_falls_back_and_exits_3(scanned, cli):
    assessment = scanned("missing-dep")
    assert table(assessment) == [
        ("AWS-EBS-CLASS-NAME", "values.yaml", 8, "P1", None, None),
        ("AWS-ECR", "values.yaml", 2, "P1", None, None),
        ("AWS-EKS-IRSA", "values.yaml", 6, "P2", None, None),
    ]
    assert {str(f.location.origin) for f in assessment.findings if f.level.value != "P0"} == {"chart orders (not rendered)"}
    assert errors(assessment) == [
        "Chart.yaml:6: warning: chart orders: dependency 'commonlib' (version 2.x.x, oci://registry-1.docker.io/examplecharts) "
        "is not vendored under charts/ and no chart of that name and version was found in the scanned tree or --helm-charts-dir; "
        "nothing is downloaded: run `helm dependency build`, or pass --helm-charts-dir",
        "templates/deployment.yaml:4: error: chart orders was not rendered (dependency 'commonlib' is missing and template error: "
        'orders/templates/deployment.yaml:4:11 executing "orders/templates/deployment.yaml" at <include "commonlib.fullname" .>: '
        '... template: no template "commonlib.fullname" associated with template "gotpl"); only partly analysed: its values and '
        "raw templates were scanned statically, findings marked 'chart orders (not rendered)'",
    ]
    assert cli("scan", str(HELM / "missing-dep"), "-q").code == 3
    assert cli("scan", str(HELM / "missing-dep"), "-q", "--fail-on", "P2").code == 4


@needs_sdk
def test_dependency_found_elsewhere_in_the_tree_and_library_charts_not_rendered_alone(scanned):
    assessment = scanned("monorepo")
    assert table(assessment) == [("GCP-ARTIFACT-REGISTRY", "app/templates/deployment.yaml", 16, "P1", "app/values.yaml", 2)]
    assert not assessment.errors
    assert [v.resource.address for v in assessment.verdicts] == ["Deployment/app-app"]  # nothing of `common` itself


_OPTIONAL_DB = {
    "shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n"
    "  - name: postgresql\n    version: 16.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n    condition: postgresql.enabled\n",
    "shop/values.yaml": "postgresql:\n  enabled: true\n  primary:\n    persistence:\n      storageClass: gp3\n",
    "shop/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop\ndata:\n  db: {{ .Release.Name }}-postgresql\n",
    "db/Chart.yaml": "apiVersion: v2\nname: postgresql\nversion: 17.1.0\n",  # the tree's version does not satisfy 16.x.x
}


@needs_sdk
def test_a_missing_subchart_the_templates_do_not_need_renders_the_rest(tree, scan):
    root = tree(_OPTIONAL_DB)
    assessment = scan(root)
    assert table(assessment) == [("AWS-EBS-CLASS-NAME", "shop/values.yaml", 5, "P1", None, None)]
    assert next(f for f in assessment.findings if f.rule.id == "AWS-EBS-CLASS-NAME").location.origin.via == "chart shop (dependency not rendered)"
    assert [v.resource.address for v in assessment.verdicts] == ["ConfigMap/shop"]
    assert errors(assessment) == [
        "shop/Chart.yaml: error: chart shop was only partly analysed: dependency 'postgresql' could not be found, so its objects "
        "are missing; its values in this chart were scanned statically (findings marked 'chart shop (dependency not rendered)')",
        "shop/Chart.yaml:5: warning: chart shop: dependency 'postgresql' (version 16.x.x, oci://registry-1.docker.io/bitnamicharts) "
        "is not vendored under charts/ and no chart of that name and version was found in the scanned tree or --helm-charts-dir "
        "(found only 17.1.0 at db); nothing is downloaded: run `helm dependency build`, or pass --helm-charts-dir",
    ]


@needs_sdk
def test_a_disabled_missing_dependency_is_no_problem(tree, scan):
    files = dict(_OPTIONAL_DB)
    files["shop/values.yaml"] = "postgresql:\n  enabled: false\n"
    root = tree(files)
    assessment = scan(root)
    assert not assessment.errors
    assert [v.resource.address for v in assessment.verdicts] == ["ConfigMap/shop"]


def _pack(chart_dir, target, name=None):
    """A chart archive as `helm package` writes it: <name>/... inside a gzipped tar."""
    name = name or os.path.basename(chart_dir)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for directory, _dirs, files in os.walk(chart_dir):
            for file in sorted(files):
                path = os.path.join(directory, file)
                tar.add(path, arcname=f"{name}/{os.path.relpath(path, chart_dir)}")
    with open(target, "wb") as handle:
        handle.write(gzip.compress(buffer.getvalue(), mtime=0))


@needs_sdk
def test_dependency_from_charts_dir_and_file_reference(tree, scan, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    root = tree(_OPTIONAL_DB)
    db = root / "db"
    (db / "Chart.yaml").write_text("apiVersion: v2\nname: postgresql\nversion: 16.4.2\n")
    (db / "values.yaml").write_text("primary:\n  persistence:\n    storageClass: standard\n")
    (db / "templates").mkdir()
    (db / "templates" / "sts.yaml").write_text(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  volumeClaimTemplates:\n    - metadata:\n        name: data\n"
        "      spec:\n        storageClassName: {{ .Values.primary.persistence.storageClass }}\n"
    )
    _pack(str(db), cache / "postgresql-16.4.2.tgz")
    config = helm_config(charts_dirs=(str(cache),))
    assessment = run([str(root)], config, catalogue=load_catalogue())
    assert table(assessment) == [("AWS-EBS-CLASS-NAME", str(cache / "postgresql-16.4.2.tgz"), 0, "P1", "shop/values.yaml", 5)]
    assert not assessment.errors
    # the same chart through `repository: file://../db`
    chart = (root / "shop" / "Chart.yaml").read_text().replace("oci://registry-1.docker.io/bitnamicharts", "file://../db")
    (root / "shop" / "Chart.yaml").write_text(chart)
    assessment = scan(root)
    assert table(assessment) == [("AWS-EBS-CLASS-NAME", "db/templates/sts.yaml", 10, "P1", "shop/values.yaml", 5)]
    assert not assessment.errors


# --- charts that cannot be rendered ----------------------------------------------------------


@needs_sdk
def test_a_failing_template_is_reported_at_its_line_and_analysed_statically(scanned):
    assessment = scanned("broken-template")
    assert table(assessment) == [
        ("AWS-LB-CONTROLLER", "templates/service.yaml", 6, "P2", None, None),  # a plain-YAML template, as a manifest
        ("AWS-S3", "values.yaml", 2, "P1", None, None),
    ]
    assert errors(assessment) == [
        "templates/configmap.yaml:7: error: chart broken was not rendered (template error: execution error at "
        "(broken/templates/configmap.yaml:7:13): bucket.region is required); only partly analysed: its values and raw "
        "templates were scanned statically, findings marked 'chart broken (not rendered)'"
    ]


@needs_sdk
def test_a_template_that_loops_is_stopped_and_reported(cli):
    started = time.monotonic()
    result = cli("scan", str(HELM / "loop"), "--helm-timeout", "1.5", "-q")
    assert time.monotonic() - started < 15
    assert result.code == 3
    assert result.err.splitlines() == [
        "portacheck: Chart.yaml: error: chart loop was not rendered (rendering took longer than 1.5 s (a template may loop); "
        "stopped); only partly analysed: its values and raw templates were scanned statically, findings marked "
        "'chart loop (not rendered)'"
    ]


def test_static_renderer_scans_values_and_says_the_chart_was_not_rendered(scanned):
    assessment = scanned("aws-web", renderer="static")
    assert table(assessment) == [
        ("AWS-CLOUDWATCH", "values.yaml", 30, "P3", None, None),  # unrendered: optional values count too
        ("AWS-EBS-CLASS-NAME", "values.yaml", 16, "P1", None, None),
        ("AWS-ECR", "values.yaml", 5, "P1", None, None),
        ("AWS-EKS-IRSA", "values.yaml", 12, "P2", None, None),
        ("AWS-LB-CONTROLLER", "values.yaml", 21, "P2", None, None),
        ("AWS-LB-CONTROLLER", "values.yaml", 23, "P2", None, None),
        ("AWS-LB-CONTROLLER", "values.yaml", 24, "P2", None, None),
    ]
    assert errors(assessment) == [
        "Chart.yaml: error: chart web was not rendered (--helm-renderer static); only partly analysed: its values and raw "
        "templates were scanned statically, findings marked 'chart web (not rendered)'"
    ]


def test_a_plain_manifest_of_an_unrendered_chart_is_read_as_kubernetes_and_marked_not_rendered(tree, scan):
    root = tree({
        "web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
        "web/templates/sc.yaml": "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: gp3\nprovisioner: ebs.csi.aws.com\n",
    })
    assessment = scan(root, helm_config(renderer="static"))
    assert table(assessment) == [("AWS-EBS", "web/templates/sc.yaml", 5, "P1", None, None)]
    assert {str(f.location.origin) for f in assessment.findings} == {"chart web (not rendered)"}


def test_binary_renderer_without_helm_on_path_is_an_error_of_the_chart(scanned, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assessment = run([str(HELM / "monorepo")], helm_config(renderer="binary"), catalogue=load_catalogue())
    assert errors(assessment) == [
        "app/Chart.yaml: error: chart app was not rendered (--helm-renderer binary needs a `helm` executable on PATH; none found); "
        "only partly analysed: its values and raw templates were scanned statically, findings marked 'chart app (not rendered)'"
    ]


def test_binary_renderer_reads_helm_template_output(monkeypatch, tmp_path, module_catalogue):
    """A stand-in `helm` that prints what `helm template` prints: `# Source:` comments per template."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "helm"
    fake.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import sys
        assert sys.argv[1:3] == ["template", "web"], sys.argv
        print("---\\n# Source: web/templates/pvc.yaml\\napiVersion: v1\\nkind: PersistentVolumeClaim\\nmetadata:\\n  name: web-data\\n"
              "spec:\\n  storageClassName: gp3\\n")
        """))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    assessment = run([str(HELM / "aws-web")], helm_config(renderer="binary"), catalogue=module_catalogue)
    assert table(assessment) == [("AWS-EBS-CLASS-NAME", "templates/pvc.yaml", 9, "P1", "values.yaml", 16)]
    assert not assessment.errors


# --- archives, focus, the command line ---------------------------------------------------------


@needs_sdk
def test_a_packaged_chart_is_analysed_and_other_archives_are_skipped(tree, scan):
    root = tree({"backup.tar.gz": gzip.compress(b"not a chart"), "README.md": "x"})
    _pack(str(HELM / "aws-web"), root / "web-1.4.0.tgz", name="web")
    assessment = scan(root)
    assert not assessment.errors
    rows = table(assessment)
    assert ("AWS-EKS-IRSA", "web-1.4.0.tgz", 0, "P2", "web-1.4.0.tgz", 0) in rows
    irsa = next(f for f in assessment.findings if f.rule.id == "AWS-EKS-IRSA")
    assert str(irsa.location.origin) == "chart web (web/templates/serviceaccount.yaml)"
    assert str(irsa.signal.values_location.origin) == "web/values.yaml:12"


@needs_sdk
def test_a_values_file_named_on_the_command_line_keeps_the_findings_its_values_cause(cli):
    result = cli("scan", str(HELM / "aws-web" / "values.yaml"), "--format", "json", cwd=ROOT)
    data = json.loads(result.out)
    assert sorted((f["rule_id"], f["file"], f["line"], f["evidence"]["values"]["line"]) for f in data["findings"]) == [
        ("AWS-CLOUDWATCH", "fixtures/helm/aws-web/templates/deployment.yaml", 27, 30),  # optional: metrics.enabled
        ("AWS-EBS-CLASS-NAME", "fixtures/helm/aws-web/templates/pvc.yaml", 9, 16),
        ("AWS-ECR", "fixtures/helm/aws-web/templates/deployment.yaml", 20, 5),
        ("AWS-EKS-IRSA", "fixtures/helm/aws-web/templates/serviceaccount.yaml", 10, 12),
        ("AWS-LB-CONTROLLER", "fixtures/helm/aws-web/templates/ingress.yaml", 8, 23),
        ("AWS-LB-CONTROLLER", "fixtures/helm/aws-web/templates/ingress.yaml", 8, 24),
        ("AWS-LB-CONTROLLER", "fixtures/helm/aws-web/templates/ingress.yaml", 11, 21),
    ]


@needs_sdk
def test_cli_json_and_text_show_both_locations(cli):
    result = cli("scan", str(HELM / "aws-web"), "--format", "json", "--fail-on", "P2")
    assert result.code == 1
    irsa = next(f for f in json.loads(result.out)["findings"] if f["rule_id"] == "AWS-EKS-IRSA")
    assert (irsa["file"], irsa["line"], irsa["origin"]) == ("templates/serviceaccount.yaml", 10, "chart web")
    assert irsa["evidence"]["values"] == {"file": "values.yaml", "line": 12, "member": None}
    text = cli("scan", str(HELM / "aws-web"), "--color", "never").out
    assert "    templates/serviceaccount.yaml:10  ServiceAccount/web  (via chart web)  (value from values.yaml:12)\n" in text


def test_cli_rejects_bad_helm_options(cli):
    assert "no such file" in cli("scan", str(HELM / "aws-web"), "--helm-values", "nope.yaml").err
    assert "is not key=value" in cli("scan", str(HELM / "aws-web"), "--helm-set", "novalue").err
    assert "choose auto, sdk, binary, static" in cli("scan", str(HELM / "aws-web"), "--helm-renderer", "kubectl").err
    assert cli("scan", str(HELM / "aws-web"), "--helm-charts-dir", "/nonexistent").code == 2


@needs_sdk
def test_the_sdk_is_never_loaded_into_the_scanning_process():
    code = (
        "import sys\nfrom portacheck.cli import main\n"
        f"main(['scan', {str(HELM / 'aws-web')!r}, '-q'])\n"
    )
    probe = code.replace("main(['scan'", "try:\n    main(['scan'") + "except SystemExit:\n    pass\nprint('helm_python' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr


# --- the parts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "version, constraint, ok",
    [
        ("2.31.4", "2.x.x", True), ("3.0.0", "2.x.x", False), ("2.9.0", "^2.0.0", True), ("1.3.0", "~1.2.3", False),
        ("0.12.3", "0.12.*", True), ("8.4.1", "8.4.0", False), ("1.5.0", ">=1.0.0 <2.0.0", True), ("2.0.0", ">=1.0.0, <2.0.0", False),
        ("0.3.0", "^0.2.3", False), ("1.4.5", "1.2 - 1.4.5", True), ("2.0.0", "<1 || >=2", True), ("16.4.2", "16.X.X", True),
    ],
)
def test_version_constraints(version, constraint, ok):
    assert satisfies(version, constraint) is ok


def test_set_pairs_as_helm_reads_them():
    assert parse_set(["a.b=c\\,d,list[1]=3", "tags={x,y}", "dotted\\.key.x=true", "n=null", "z=012"]) == {
        "a": {"b": "c,d"}, "list": [None, 3], "tags": ["x", "y"], "dotted.key": {"x": True}, "n": None, "z": "012",
    }
    with pytest.raises(ValueError, match="'oops' is not key=value"):
        parse_set(["oops"])


def test_conditions_win_over_tags():
    values = {"redis": {"enabled": False}, "tags": {"cache": True}}
    assert enabled("redis.enabled", ("cache",), values, values) == (False, "condition redis.enabled=false")
    assert enabled("missing.path", ("cache",), values, values) == (True, "")
    assert enabled("", ("off",), {}, {"tags": {"off": False}}) == (False, "tags off false")


def test_template_lines_for_key_paths():
    template = Template.parse(textwrap.dedent("""\
        {{- if .Values.enabled }}
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          {{- with .Values.podAnnotations }}
          annotations:
            {{- toYaml . | nindent 4 }}
          {{- end }}
        spec:
          template:
            spec:
              containers:
              - name: a
                image: {{ .Values.a.image }}
              - name: b
                image: "{{ .Values.b.registry }}/{{ .Values.b.name }}"
                args:
                  - --flag
                  - {{ .Values.b.arg }}
          data: |
            image: not a key
        {{- end }}
        """))
    doc = template.doc_for("Deployment", 0)
    assert template.object_line(doc) == 2
    assert template.line_for("spec.template.spec.containers[1].image", doc) == (16, "")
    assert template.line_for("spec.template.spec.containers[1].args[1]", doc) == (19, "")
    assert template.line_for("metadata.annotations.iam.gke.io/x", doc) == (7, "iam.gke.io/x")
    assert template.refs(7) == [("podAnnotations",)]
    assert template.refs(16) == [("b", "registry"), ("b", "name")]


def test_values_lines_follow_helm_precedence():
    defaults = load_values("image:\n  registry: docker.io\n  name: app\nannotations: {}\n", "values.yaml")
    user = load_values("image:\n  registry: 123.dkr.ecr.eu-west-1.amazonaws.com\nannotations:\n  a.b/c: x\n", "prod.yaml")
    chain = Chain([Source(user, ()), Source(defaults, ())])
    hit = find_value(chain, [("image", "registry"), ("image", "name")], "", "123.dkr.ecr.eu-west-1.amazonaws.com/app")
    assert (hit[0].display, hit[0].line(hit[1])) == ("prod.yaml", 2)
    hit = find_value(chain, [("annotations",)], "a.b/c", "a.b/c")
    assert (hit[0].display, hit[0].line(hit[1])) == ("prod.yaml", 4)
    assert find_value(chain, [("image", "name")], "", "something-else") is None


def test_helm_template_output_split_by_source():
    stream = "---\n# Source: web/templates/a.yaml\nkind: A\n---\n# Source: web/templates/a.yaml\nkind: B\n---\n# Source: web/charts/x/templates/c.yaml\nkind: C\n"
    assert split_sources(stream) == {"web/templates/a.yaml": "kind: A\n---\nkind: B\n", "web/charts/x/templates/c.yaml": "kind: C\n"}


def test_go_template_errors_are_shortened_to_one_line():
    chain = "template: web/templates/x.yaml:1:6: executing \"x\" at <include \"y\" .>: error calling include: " * 3 + "the real reason"
    assert shorten(chain) == 'web/templates/x.yaml:1:6: executing "x" at <include "y" .>: ... the real reason'


def test_values_files_keep_lines_and_survive_aliases_and_merge_keys():
    values = load_values("base: &b\n  size: 1\nuse:\n  <<: *b\n  name: x\nwhen: 2024-01-01\n", "values.yaml")
    assert values.data == {"base": {"size": 1}, "use": {"size": 1, "name": "x"}, "when": "2024-01-01"}
    assert values.line(("use", "name")) == 5
    assert isinstance(values, Values)


@needs_sdk
def test_a_template_rendering_invalid_yaml_costs_that_template_only(tree, scan):
    root = tree({
        "Chart.yaml": "apiVersion: v2\nname: odd\nversion: 0.1.0\n",
        "templates/bad.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: [unclosed\n",
        "templates/pvc.yaml": "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: d\nspec:\n  storageClassName: gp3\n",
    })
    assessment = scan(root)
    assert table(assessment) == [("AWS-EBS-CLASS-NAME", "templates/pvc.yaml", 6, "P1", None, None)]
    assert [(e.path, e.severity.value) for e in assessment.errors] == [("templates/bad.yaml", "error")]
    assert "renders this template to invalid YAML" in assessment.errors[0].message
