"""Every input format portacheck recognises, in the order discovery asks them.

The first frontend whose `claims` accepts a file gets it. Formats recognised by their content go
before Kubernetes, which takes any other YAML or JSON. Frontends with `analysed=False` have no
reader yet: their files are reported as not analysed, never passed over.
"""

from __future__ import annotations

from collections.abc import Mapping

from portacheck.model import MatchKind
from portacheck.parse import (
    Frontend,
    application,
    arm,
    bicep,
    cdk,
    cloudformation,
    helm,
    kubernetes,
    pipelines,
    pulumi,
    serverless,
    terraform,
    terragrunt,
    tfplan,
    unread,
)

FRONTENDS: tuple[Frontend, ...] = (
    terraform.FRONTEND,
    terragrunt.FRONTEND,
    tfplan.FRONTEND,
    pulumi.FRONTEND,
    bicep.FRONTEND,
    arm.FRONTEND,
    cdk.FRONTEND,
    serverless.FRONTEND,
    *unread.FRONTENDS,
    cloudformation.FRONTEND,
    pipelines.FRONTEND,
    application.FRONTEND,
    kubernetes.FRONTEND,
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
