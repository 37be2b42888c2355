"""Every input format portacheck recognises, in the order discovery asks them.

The first frontend whose `claims` accepts a file gets it. Formats recognised by their content go
before Kubernetes, which takes any other YAML or JSON. Frontends with `analysed=False` have no
reader yet: their files are reported as not analysed, never passed over.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Mapping

from portacheck.model import MatchKind
from portacheck.parse import Frontend
from portacheck.parse import application
from portacheck.parse.helm import frontend as helm
from portacheck.parse.options import option

# --- TEMPORARY: declarations to move into their packages -----------------------------------------


def _terraform_claims(relpath: str, head: bytes) -> bool:
    from portacheck.parse.terraform import is_terraform_file

    return is_terraform_file(relpath.rsplit("/", 1)[-1])


def _terraform_parse(files, context, options):
    from portacheck.parse.terraform import parse

    return parse(files, context, options)


@dataclass(frozen=True)
class TerraformOptions:
    var_files: tuple[str, ...] = option(
        (), key="var-files", flag="--var-file", kind="files", legacy_key="var-files",
        help="Terraform variable file applied to every root module (repeatable).",
    )


_TF = "Terraform resource type"
TERRAFORM = Frontend(
    name="terraform",
    title="Terraform",
    claims=_terraform_claims,
    parse=_terraform_parse,
    options=TerraformOptions,
    suffixes=(".tf", ".tf.json", ".tofu", ".tofu.json", ".tfvars", ".tfvars.json"),
    match_kinds={
        "terraform": MatchKind("Terraform resource and data source types (globs)", _TF, True),
        "terraform_data": MatchKind(
            "Terraform data source types only; wins over `terraform` for data sources", "Terraform data source", True,
            match_keys=("terraform_data", "terraform"),
        ),
        "terraform_module": MatchKind("sources of Terraform module calls that are not on disk (globs)", "Terraform module source", True, "MODULE"),
        "terraform_backend": MatchKind("Terraform state backend types", "Terraform state backend", True, "BACKEND"),
    },
    examples=True,
)


def _kubernetes_claims(relpath: str, head: bytes) -> bool:
    return relpath.endswith((".yaml", ".yml", ".json"))


def _kubernetes_parse(files, context, options):
    from portacheck.parse.kubernetes import parse

    return parse(files, context)


def _k8s(description: str, what: str, unknown_id: str = "") -> MatchKind:
    return MatchKind(description, what, bool(unknown_id), unknown_id or "TYPE")


KUBERNETES = Frontend(
    name="kubernetes",
    title="Kubernetes",
    claims=_kubernetes_claims,
    parse=_kubernetes_parse,
    suffixes=(".yaml", ".yml", ".json"),
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


FRONTENDS: tuple[Frontend, ...] = (
    TERRAFORM,
    application.FRONTEND,
    KUBERNETES,
    helm.FRONTEND,
)

BY_NAME: Mapping[str, Frontend] = {frontend.name: frontend for frontend in FRONTENDS}

# Matched by the shared endpoint matcher in every frontend's string values.
TEXT_KIND = "text"
ENDPOINTS = MatchKind("hostnames, ARNs and URIs found in any string value (globs)", "endpoint")


def match_kinds() -> dict[str, MatchKind]:
    """Rule match keys and what they match: `endpoints`, then every frontend's signal kinds."""
    kinds = {"endpoints": ENDPOINTS}
    for frontend in FRONTENDS:
        for name, kind in frontend.match_kinds.items():
            if name in kinds and kinds[name] != kind:
                raise ValueError(f"signal kind {name!r} is declared differently by two frontends")
            kinds[name] = kind
    return kinds


def example_sources() -> tuple[str, ...]:
    """Frontends whose rule examples the tests can run."""
    return tuple(frontend.name for frontend in FRONTENDS if frontend.examples)


def sniff_suffixes() -> tuple[str, ...]:
    """File name endings whose first bytes discovery reads, because some frontend decides by content."""
    return tuple(sorted({suffix for frontend in FRONTENDS for suffix in frontend.sniff_suffixes}))


def classify(relpath: str, head: bytes = b"") -> Frontend | None:
    """The frontend that claims a file, or None when none does."""
    for frontend in FRONTENDS:
        if frontend.claims(relpath, head):
            return frontend
    return None
