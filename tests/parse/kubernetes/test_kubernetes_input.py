"""The Kubernetes analyser's input side: what it reads, what it skips, what it says about bad files."""

from __future__ import annotations

from portacheck.discover import discover
from portacheck.model import Severity
from portacheck.parse import ParseContext
from portacheck.parse.kubernetes.analyse import analyse_text, parse

from conftest import FIXTURES


def signals(resource, kind):
    return [(s.value, s.location.line) for s in resource.signals if s.kind == kind]


def by_address(result):
    return {r.address: r for r in result.resources}


def test_every_key_and_value_keeps_its_line():
    text = (
        "apiVersion: v1\n"                      # 1
        "kind: ServiceAccount\n"                # 2
        "metadata:\n"                           # 3
        "  name: web\n"                         # 4
        "  annotations:\n"                      # 5
        "    eks.amazonaws.com/role-arn: >-\n"  # 6
        "      arn:aws:iam::1:role/web\n"       # 7
    )
    result = analyse_text(text, "sa.yaml")
    sa = by_address(result)["ServiceAccount/web"]
    assert sa.location.line == 1
    assert signals(sa, "k8s_kind") == [("core/ServiceAccount", 2)]
    assert signals(sa, "k8s_annotation") == [("eks.amazonaws.com/role-arn", 6)]
    assert signals(sa, "text") == [("arn:aws:iam::1:role/web", 7)]


def test_multi_document_files_lists_and_json_manifests(tree):
    root = tree({
        "multi.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
        "list.yaml": "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: s}\n",
        "deploy.json": '{\n  "apiVersion": "apps/v1",\n  "kind": "Deployment",\n  "metadata": {"name": "j"},\n'
                       '  "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "gcr.io/p/app:1"}]}}}\n}\n',
    })
    files = [f for f in discover([str(root)]).files if f.kind == "kubernetes"]
    result = parse(files, ParseContext(root=str(root)))
    assert sorted(r.address for r in result.resources) == ["ConfigMap/a", "ConfigMap/b", "Deployment/j", "Secret/s"]
    assert by_address(result)["ConfigMap/b"].location.line == 6
    deployment = by_address(result)["Deployment/j"]
    assert deployment.kind == "workload"
    assert signals(deployment, "text") == [("gcr.io/p/app:1", 5)]
    assert not result.errors


def test_other_yaml_is_skipped_silently(tree, scan):
    root = tree({
        ".github/workflows/ci.yaml": "name: ci\non: [push]\njobs: {}\n",
        "docker-compose.yml": "services:\n  web:\n    image: nginx\n",
        "ansible.yml": "- hosts: all\n  tasks: []\n",
        "broken-but-not-kubernetes.yaml": "a: [unclosed\n",
        "package-lock.json": "{" + '"x": 1,' * 10 + '"y": 2}',
    })
    assessment = scan(root)
    assert not assessment.errors
    # the workflow is the pipelines frontend's now: a neutral GitHub Actions finding, nothing from Kubernetes
    assert [(f.rule.id, f.location.path) for f in assessment.findings] == [("CI-GITHUB-ACTIONS", ".github/workflows/ci.yaml")]


def test_bad_manifests_get_one_line_each_and_the_rest_is_analysed(cli):
    import json

    result = cli("scan", str(FIXTURES / "k8s-broken"), "--fail-on", "never", "--format", "json")
    assert result.code == 3
    errors = sorted(line for line in result.err.splitlines() if line.startswith("portacheck: "))
    assert errors == [
        "portacheck: binary.yaml: error: binary file (contains NUL bytes); not analysed",
        "portacheck: bomb.yaml:6: error: document expands to more than 200,000 nodes (an alias bomb?); not analysed",
        "portacheck: deep.yaml:6: error: nested deeper than 64 levels; not analysed",
        "portacheck: duplicate.yaml:5: warning: duplicate key 'name'; the last one is used",
        "portacheck: invalid.yaml:7:1: error: invalid YAML: did not find expected ',' or ']'",
        "portacheck: latin1.yaml:6:9: error: not valid UTF-8 (byte 0xe9)",
        "portacheck: tabs.yaml:4:1: error: invalid YAML: a tab character where YAML expects spaces",
    ]
    assert "Traceback" not in result.err
    found = [(f["rule_id"], f["file"], f["line"]) for f in json.loads(result.out)["findings"] if f["level"] != "P0"]
    assert found == [("AWS-RDS", "good.yaml", 6)]  # the good file is still analysed


def test_huge_manifest_is_an_error_but_a_huge_other_file_is_not(tree, scan):
    from portacheck.config import Config

    root = tree({
        "big.yaml": "apiVersion: v1\nkind: ConfigMap\ndata:\n" + "  k: v\n" * 2000,
        "big.json": '{"not": "a manifest", "pad": "' + "x" * 20000 + '"}',
    })
    assessment = scan(root, Config(max_file_bytes=10_000))
    assert [(e.path, e.message) for e in assessment.errors] == [("big.yaml", "file is larger than 0 MiB; not analysed")]


def test_unknown_tags_are_read_as_text():
    result = analyse_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\ndata:\n  v: !vault https://vault.example/v1\n", "t.yaml")
    assert signals(result.resources[0], "text") == [("https://vault.example/v1", 5)]


def test_workloads_are_linked_to_what_they_use():
    result = parse(
        [f for f in discover([str(FIXTURES / "k8s-eks")]).files],
        ParseContext(root=str(FIXTURES / "k8s-eks")),
    )
    objects = by_address(result)
    assert objects["Deployment/shop/orders"].links == (
        "app.yaml#ServiceAccount/shop/orders",
        "app.yaml#Service/shop/orders",
    )
    assert objects["Service/shop/orders"].links == ("app.yaml#Ingress/shop/shop",)
    assert objects["StatefulSet/shop/ledger"].links == ("storage.yaml#StorageClass/fast",)
    assert objects["CronJob/shop/report"].kind == "workload"
    assert not objects["StorageClass/fast"].links


def test_kustomize_patches_say_so_and_attach_to_their_target():
    root = FIXTURES / "k8s-kustomize"
    result = parse(discover([str(root)]).files, ParseContext(root=str(root)))
    objects = {(r.location.path, r.address): r for r in result.resources}
    irsa = objects[("overlays/prod/irsa-patch.yaml", "patch:ServiceAccount/api")]
    assert irsa.kind == "patch"
    assert str(irsa.location.origin) == "kustomize patch (overlays/prod/kustomization.yaml)"
    json_patch = objects[("overlays/prod/spot-patch.yaml", "patch:Deployment/api")]  # its target, from the kustomization
    assert signals(json_patch, "k8s_node_label") == [("eks.amazonaws.com/capacityType=SPOT", 4)]
    assert signals(json_patch, "k8s_annotation") == [("alb.ingress.kubernetes.io/group.name", 6)]
    inline = objects[("overlays/prod/kustomization.yaml", "patch:Deployment/api")]
    assert str(inline.location.origin) == "kustomize inline patch (overlays/prod/kustomization.yaml)"
    assert signals(inline, "text") == [("https://sqs.eu-central-1.amazonaws.com/123456789012/jobs", 27)]
    deployment = objects[("base/deployment.yaml", "Deployment/api")]
    assert deployment.links == (
        "base/serviceaccount.yaml#ServiceAccount/api",
        "overlays/prod/spot-patch.yaml#patch:Deployment/api",
        "overlays/prod/kustomization.yaml#patch:Deployment/api",
        "base/kustomization.yaml#Kustomization/base",  # the kustomizations that build it: images, patches
        "overlays/prod/kustomization.yaml#Kustomization/overlays/prod",
    )
    service_account = objects[("base/serviceaccount.yaml", "ServiceAccount/api")]
    assert service_account.links == ("overlays/prod/irsa-patch.yaml#patch:ServiceAccount/api",)


def test_static_credentials_in_env_are_a_security_warning():
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: app\n"
        "      env:\n        - name: AWS_SECRET_ACCESS_KEY\n          value: wJalrXUtnFEMI\n"
        "        - name: AZURE_CLIENT_SECRET\n          valueFrom: {secretKeyRef: {name: s, key: k}}\n"
    )
    result = analyse_text(text, "pod.yaml")
    assert [(e.line, e.severity, e.message) for e in result.errors] == [
        (10, Severity.WARNING, "AWS_SECRET_ACCESS_KEY is a cloud credential written into the manifest (Pod/p); "
                               "move it to a Secret, better to workload identity"),
    ]
    assert signals(result.resources[0], "k8s_env") == [("AWS_SECRET_ACCESS_KEY", 9), ("AZURE_CLIENT_SECRET", 11)]


def test_embedded_collector_and_fluent_bit_configs():
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: otel}\ndata:\n"  # 1-4
        "  collector.yaml: |\n"                                              # 5
        "    receivers: {otlp: {}}\n"                                        # 6
        "    exporters:\n"                                                   # 7
        "      awsxray: {}\n"                                                # 8
        "      otlp/tempo: {endpoint: tempo:4317}\n"                         # 9
        "  fluent-bit.conf: |\n"                                             # 10
        "    [OUTPUT]\n"                                                     # 11
        "        Name  cloudwatch_logs\n"                                    # 12
        "        Match *\n"                                                  # 13
    )
    result = analyse_text(text, "otel.yaml")
    assert signals(result.resources[0], "telemetry_exporter") == [
        ("otel:awsxray", 8), ("otel:otlp", 9), ("fluentbit:cloudwatch_logs", 12),
    ]


def test_secret_data_is_decoded_for_the_endpoint_matcher():
    import base64

    url = base64.b64encode(b"postgres://app@db.abc.eu-west-1.rds.amazonaws.com/app").decode()
    result = analyse_text(f"apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\ndata:\n  url: {url}\n", "s.yaml")
    assert signals(result.resources[0], "text") == [("postgres://app@db.abc.eu-west-1.rds.amazonaws.com/app", 5)]


def test_a_named_manifest_brings_its_siblings_for_links(tree, scan):
    root = tree({
        "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  template:\n    spec:\n"
                           "      serviceAccountName: w\n      containers: [{name: c, image: app}]\n",
        "k8s/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: w\n",
    })
    discovery = discover([str(root / "k8s" / "deploy.yaml")], root=str(root))
    assert [f.relpath for f in discovery.files] == ["k8s/deploy.yaml", "k8s/sa.yaml"]
    assert discovery.focus == frozenset({"k8s/deploy.yaml"})


def test_a_crd_schema_mentions_providers_without_using_them():
    text = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: things.example.com}\n"
        "spec:\n  versions:\n    - name: v1\n      schema:\n        openAPIV3Schema:\n"
        "          description: 'e.g. arn:aws:sns:us-east-1:123456789012:topic or disk.csi.azure.com'\n"
    )
    result = analyse_text(text, "crd.yaml")
    assert [s.kind for s in result.resources[0].signals] == ["k8s_kind"]


def test_keeping_pods_off_provider_nodes_is_not_a_tie():
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: app}]\n"
        "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n"
        "          - matchExpressions:\n"
        "              - {key: eks.amazonaws.com/compute-type, operator: NotIn, values: [fargate]}\n"
        "              - {key: kubernetes.io/arch, operator: In, values: [arm64]}\n"
    )
    assert signals(analyse_text(text, "p.yaml").resources[0], "k8s_node_label") == [("kubernetes.io/arch=arm64", 12)]


def test_chart_values_outside_charts_are_judged_and_broken_ones_skipped(tree, scan):
    root = tree({
        "argocd/values.yaml": (
            "server:\n  service:\n    annotations:\n"
            "      service.beta.kubernetes.io/aws-load-balancer-type: external\n"
            "persistence:\n  storageClass: gp3\n"
        ),
        "other/values-prod.yaml": "a: [unclosed\n",
    })
    assessment = scan(root)
    assert not assessment.errors
    assert [(f.rule.id, f.location.path, f.location.line) for f in assessment.findings] == [
        ("AWS-LB-CONTROLLER", "argocd/values.yaml", 4),
        ("AWS-EBS-CLASS-NAME", "argocd/values.yaml", 6),
    ]
    assert assessment.resources_total == 0  # values configure a release; the file deploys nothing


def test_settings_nested_in_templates_and_release_values_are_read():
    text = (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: ui}\nspec:\n  values:\n"
        "    ingress:\n      className: alb\n      ingressClassName: alb\n      annotations:\n"
        "        alb.ingress.kubernetes.io/scheme: internet-facing\n"
        "        alb.ingress.kubernetes.io/healthcheck-path: /health\n"
    )
    release = analyse_text(text, "helm.yaml").resources[0]
    assert signals(release, "k8s_ingress_class") == [("alb", 8)]
    assert signals(release, "k8s_annotation") == [("alb.ingress.kubernetes.io/scheme", 10), ("alb.ingress.kubernetes.io/healthcheck-path", 11)]


def test_the_metadata_address_needs_a_providers_header_to_name_the_provider():
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n    - name: c\n      image: x\n      env:\n"
        "        - {{name: MD, value: 'http://169.254.169.254/{path}'}}\n{extra}"
    )
    google = analyse_text(pod.format(path="computeMetadata/v1/project/project-id", extra="        - {name: H, value: 'Metadata-Flavor: Google'}\n"), "p.yaml")
    assert signals(google.resources[0], "metadata_server") == [("google", 9)]
    openstack = analyse_text(pod.format(path="openstack/latest/meta_data.json", extra=""), "p.yaml")
    assert signals(openstack.resources[0], "metadata_server") == []
