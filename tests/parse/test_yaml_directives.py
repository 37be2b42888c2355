"""Inline suppressions in YAML as the readers find them: text in, Directives (line, text, extent) out."""

from __future__ import annotations

import shutil

from portacheck._yaml import load_documents
from portacheck.discover import discover
from portacheck.model import Directive
from portacheck.parse import ParseContext
from portacheck.parse.application.analyse import parse as read_application
from portacheck.parse.helm import HelmOptions
from portacheck.parse.helm import analyse as helm
from portacheck.parse.helm.directives import file_directives
from portacheck.parse.kubernetes import analyse as kubernetes
from portacheck.parse.yaml_directives import from_text, read, template_directives

from conftest import FIXTURES


def directives(text: str, rel: str = "app.yaml") -> list[tuple]:
    """(line, text, start, end, block, kind) of each directive of a manifest text."""
    found = read(rel, text, [document.node for document in load_documents(text)])
    return [(d.line, d.text, d.start, d.end, d.block, d.kind) for d in found]


def test_a_comment_above_the_first_key_covers_the_document():
    text = """\
# portacheck:ignore[AWS-ECR] reason: mirrored to Harbor, until: 2027-06-30
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web

# a trailing comment is not content
"""
    assert directives(text) == [
        (1, "[AWS-ECR] reason: mirrored to Harbor, until: 2027-06-30", 2, 5, True, "comment"),
    ]


def test_a_comment_above_a_nested_key_covers_the_key_and_its_block_sequence():
    text = """\
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      # portacheck:ignore[AWS-ECR] reason: init images are rebuilt in phase 2
      initContainers:
      - name: migrate
        image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/migrate:1.0

      containers:
      - name: web
"""
    assert directives(text) == [(6, "[AWS-ECR] reason: init images are rebuilt in phase 2", 7, 9, False, "comment")]


def test_a_comment_above_a_sequence_item_covers_the_item():
    text = """\
kind: Deployment
containers:
- name: web
  # portacheck:ignore[AWS-ECR] reason: the sidecar goes
- name: sidecar
  image: sidecar:1.0
  args: [--region,
    eu-west-1]
- name: last
"""
    assert directives(text) == [(4, "[AWS-ECR] reason: the sidecar goes", 5, 8, False, "comment")]


def test_an_end_of_line_comment_covers_its_key_and_value():
    text = """\
apiVersion: v1
kind: ConfigMap
data:
  endpoint: https://sqs.eu-west-1.amazonaws.com  # portacheck:ignore[AWS-SQS] reason: Scaleway Queues speak SQS
  script: |  # portacheck:ignore[AWS-S3] reason: the bucket moves with rclone
    aws s3 sync s3://shop .

  other: value
"""
    assert directives(text) == [
        (4, "[AWS-SQS] reason: Scaleway Queues speak SQS", 4, 4, False, "comment"),
        (5, "[AWS-S3] reason: the bucket moves with rclone", 5, 6, False, "comment"),
    ]


def test_annotations_give_one_directive_per_entry_and_per_block_scalar_line():
    text = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  annotations:
    portacheck.io/ignore: "AWS-EBS-CSI: reason: volumes are migrated with Velero, until: 2027-01-31"
    portacheck.io/ignore-2: 'K8S-*: reason: reviewed'
    portacheck.io/ignore-block: |
      AWS-EBS: reason: one

      AWS-EFS: reason: two
spec:
  storageClassName: gp3
"""
    assert directives(text) == [
        (6, "AWS-EBS-CSI: reason: volumes are migrated with Velero, until: 2027-01-31", 1, 13, True, "annotation"),
        (7, "K8S-*: reason: reviewed", 1, 13, True, "annotation"),
        (8, "AWS-EBS: reason: one", 1, 13, True, "annotation"),
        (8, "AWS-EFS: reason: two", 1, 13, True, "annotation"),
    ]


def test_an_annotation_on_a_list_item_covers_that_item():
    text = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata:
    name: a
    annotations: {portacheck.io/ignore: "AWS-NLB: reason: replaced by MetalLB"}
- apiVersion: v1
  kind: Service
  metadata: {name: b}
"""
    assert directives(text) == [(8, "AWS-NLB: reason: replaced by MetalLB", 4, 8, True, "annotation")]


def test_each_document_of_a_file_has_its_own_extent():
    text = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: orders
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/orders  # portacheck:ignore[AWS-EKS-IRSA] reason: phase 2
---
# portacheck:ignore[AWS-ECR] reason: the batch job is retired in Q3
apiVersion: batch/v1
kind: Job
metadata:
  name: batch
---
# portacheck:ignore[AWS-SQS] reason: nothing follows this comment
"""
    assert directives(text) == [
        (6, "[AWS-EKS-IRSA] reason: phase 2", 6, 6, False, "comment"),
        (8, "[AWS-ECR] reason: the batch job is retired in Q3", 9, 12, True, "comment"),
        (14, "[AWS-SQS] reason: nothing follows this comment", 14, 14, False, "comment"),
    ]


def test_markers_inside_quotes_or_block_scalars_are_not_comments_of_the_tree():
    text = """\
kind: ConfigMap
data:
  note: "see # portacheck:ignore[X] in the docs"
  config: |
    exporters:
      # portacheck:ignore[OTEL] reason: embedded config
      awsxray: {}
"""
    # the block scalar's comment keeps the indentation reading (its lines are text to the tree)
    assert directives(text) == [(6, "[OTEL] reason: embedded config", 7, 7, False, "comment")]


def test_a_file_without_the_marker_is_not_looked_at():
    assert read("a.yaml", "a: 1\n", [None]) == ()
    assert template_directives("t.yaml", "a: {{ .Values.x }}\n") == ()


def test_a_helm_template_is_read_by_indentation():
    text = """\
{{- if .Values.serviceAccount.create -}}
# portacheck:ignore[AWS-EKS-IRSA] reason: workload identity in phase 2
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "web.fullname" . }}
  annotations:
    {{- toYaml .Values.serviceAccount.annotations | nindent 4 }}
    portacheck.io/ignore: "AWS-ECR: reason: mirrored"
  labels:  # portacheck:ignore[K8S-LABEL] reason: kept
    app: web
{{- end }}
"""
    found = template_directives("charts/web/templates/sa.yaml", text)
    assert [(d.line, d.text, d.start, d.end, d.block, d.kind) for d in found] == [
        (2, "[AWS-EKS-IRSA] reason: workload identity in phase 2", 3, 3, False, "comment"),  # the `{{- if` line is the first
        (10, "[K8S-LABEL] reason: kept", 10, 11, False, "comment"),
        (9, "AWS-ECR: reason: mirrored", 1, 12, True, "annotation"),
    ]
    assert file_directives("charts/web/templates/sa.yaml", "templates/sa.yaml", text, at_chart_root=False) == found


def test_a_values_file_is_read_from_its_composed_values():
    text = """\
# portacheck:ignore[AWS-ECR] reason: mirrored to Harbor before the move
image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.0
persistence:
  # portacheck:ignore[AWS-EBS] reason: volumes are migrated with Velero
  storageClass: gp3
  size: 10Gi
"""
    found = file_directives("charts/web/values.yaml", "values.yaml", text, at_chart_root=True)
    assert found == (
        Directive("charts/web/values.yaml", 1, "[AWS-ECR] reason: mirrored to Harbor before the move", 2, 6, True),
        Directive("charts/web/values.yaml", 4, "[AWS-EBS] reason: volumes are migrated with Velero", 5, 5),
    )
    assert from_text("charts/web/values.yaml", text) == found


def test_text_that_does_not_parse_falls_back_to_indentation():
    text = "a: [unclosed\n# portacheck:ignore[X] reason: r\nb: 1\n"
    assert from_text("broken.yaml", text) == (Directive("broken.yaml", 2, "[X] reason: r", 3, 3),)


# --- the readers --------------------------------------------------------------------------------


def test_the_kubernetes_reader_returns_the_directives_of_a_fixture(tmp_path):
    root = tmp_path / "k8s-eks"
    shutil.copytree(FIXTURES / "k8s-eks", root)
    app = root / "app.yaml"
    lines = app.read_text().splitlines(keepends=True)
    lines.insert(1, "# portacheck:ignore[AWS-EKS-IRSA] reason: workload identity in phase 2\n")
    app.write_text("".join(lines).replace(
        "image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/orders:1.4.2",
        "image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/orders:1.4.2  # portacheck:ignore[AWS-ECR] reason: mirrored",
    ))
    result = kubernetes.parse(list(discover([str(root)]).files), ParseContext(root=str(root)))
    assert result.directives == (
        Directive("app.yaml", 2, "[AWS-EKS-IRSA] reason: workload identity in phase 2", 3, 9, True),
        Directive("app.yaml", 29, "[AWS-ECR] reason: mirrored", 29, 29),
    )


def test_the_helm_reader_returns_the_directives_of_a_chart_fixture(tmp_path):
    root = tmp_path / "aws-web"
    shutil.copytree(FIXTURES / "helm" / "aws-web", root)
    values = root / "values.yaml"
    values.write_text(values.read_text().replace("  storageClass: gp3\n", "  storageClass: gp3  # portacheck:ignore[AWS-EBS] reason: Velero\n"))
    account = root / "templates" / "serviceaccount.yaml"
    account.write_text(account.read_text().replace("kind: ServiceAccount\n", "kind: ServiceAccount  # portacheck:ignore[K8S-CORE] reason: fine\n"))
    files = [f for f in discover([str(root)]).files if f.kind == "helm"]
    result = helm.parse(files, ParseContext(root=str(root)), HelmOptions(renderer="static"))
    assert result.directives == (
        Directive("values.yaml", 16, "[AWS-EBS] reason: Velero", 16, 16),
        Directive("templates/serviceaccount.yaml", 3, "[K8S-CORE] reason: fine", 3, 3),
    )


def test_the_application_reader_returns_the_directives_of_its_yaml_config(tmp_path):
    (tmp_path / "application.yml").write_text(
        "spring:\n  cloud:\n    # portacheck:ignore[AWS-SQS] reason: Scaleway Queues\n    aws:\n      sqs:\n        endpoint: https://sqs.eu-west-1.amazonaws.com\n"
    )
    files = [f for f in discover([str(tmp_path)]).files if f.kind == "application"]
    result = read_application(files, ParseContext(root=str(tmp_path)))
    assert result.directives == (Directive("application.yml", 3, "[AWS-SQS] reason: Scaleway Queues", 4, 6),)
