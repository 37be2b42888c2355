"""The Kubernetes frontend: manifests in YAML or JSON, Kustomize files and patches, chart values
kept outside charts. It takes every YAML or JSON file no other frontend claimed; documents that
are not Kubernetes objects are skipped silently.

This module only declares the frontend; reading lives in `analyse.py` and the modules beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portacheck.model import MatchKind, ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext

SUFFIXES = (".yaml", ".yml", ".json")


def _claims(relpath: str, head: bytes) -> bool:
    return relpath.endswith(SUFFIXES)


def _parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    from portacheck.parse.kubernetes.analyse import parse

    return parse(files, context)


def _k8s(description: str, what: str, unknown_id: str = "") -> MatchKind:
    return MatchKind(description, what, bool(unknown_id), unknown_id or "TYPE")


FRONTEND = Frontend(
    name="kubernetes",
    title="Kubernetes",
    claims=_claims,
    parse=_parse,
    object_noun="object",
    suffixes=SUFFIXES,
    match_kinds={
        # A kind, provisioner, ingress or gateway controller, secret store or solver that no rule
        # knows is an unknown; free-form names (classes, annotations, labels) are not.
        "k8s_kind": _k8s("object kinds as `group/Kind` (core group: `core/Kind`), e.g. `s3.services.k8s.aws/Bucket`", "Kubernetes kind", "KIND"),
        "k8s_storage_provisioner": _k8s("StorageClass provisioners and CSI driver names (PV, inline CSI volumes)", "storage provisioner", "PROVISIONER"),
        "k8s_storage_class": _k8s("storageClassName values (PVCs, volume claim templates, PVs): weaker evidence", "storage class"),
        "k8s_ingress_class": _k8s("ingressClassName and the kubernetes.io/ingress.class annotation value", "ingress class"),
        "k8s_ingress_controller": _k8s("IngressClass spec.controller", "ingress controller", "INGRESS-CONTROLLER"),
        "k8s_gateway_class": _k8s("GatewayClass spec.controllerName and Gateway spec.gatewayClassName", "gateway class"),
        "k8s_lb_class": _k8s("Service spec.loadBalancerClass", "load balancer class", "LB-CLASS"),
        "k8s_annotation": _k8s("annotation keys of any object or pod template", "annotation"),
        "k8s_label": _k8s("label keys of objects and pod templates", "label"),
        "k8s_node_label": _k8s("node selector, affinity, toleration and topology keys, as `key` and `key=value`", "node label"),
        "k8s_secret_provider": _k8s("Secrets Store CSI SecretProviderClass spec.provider", "secrets store CSI provider", "SECRET-PROVIDER"),
        "k8s_secret_store": _k8s(
            "External Secrets SecretStore provider keys (`aws`, `aws/ParameterStore`, `gcpsm`, ...)", "External Secrets provider", "SECRET-STORE"
        ),
        "k8s_dns01_solver": _k8s(
            "cert-manager ACME DNS-01 solver keys (`route53`, `cloudDNS`, `webhook/<groupName>`)", "cert-manager DNS-01 solver", "DNS01"
        ),
        "k8s_external_dns_provider": _k8s("external-dns --provider values", "external-dns provider", "EXTERNAL-DNS"),
        "k8s_env": _k8s("environment variable names set on containers (`AWS_ROLE_ARN`, ...)", "environment variable"),
        "k8s_image": _k8s(
            "container image repositories without tag, registry explicit (`docker.io/amazon/aws-otel-collector`)", "container image"
        ),
        "telemetry_exporter": _k8s("OpenTelemetry Collector exporters and Fluent Bit outputs in embedded configs", "telemetry exporter"),
        "metadata_server": _k8s(
            "the link-local metadata server (169.254.169.254) called with a provider's header or path: `aws`, `azure`, `google`", "metadata server"
        ),
    },
    examples=True,
)
