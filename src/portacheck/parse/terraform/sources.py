"""Which files are Terraform, and module and provider source addresses in the form rules match."""

from __future__ import annotations

import re

TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json")
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")


def is_terraform_file(name: str) -> bool:
    return name.endswith(TERRAFORM_SUFFIXES) or name.endswith(TFVARS_SUFFIXES)


# `module` as a block starts (a label, `{`, a comment; `"module"` in JSON), not `modules/` in an address
_MODULE_BLOCK = re.compile(rb'\bmodule(?:\s+[A-Za-z_"]|\s*["{/#])')


def may_call_modules(data: bytes) -> bool:
    """Whether a file's bytes may hold a module call with a source; those without are not parsed."""
    return b"source" in data and _MODULE_BLOCK.search(data) is not None


def is_local(source: str) -> bool:
    return source.startswith(("./", "../", ".\\", "..\\")) or source in (".", "..")


def normalize_provider_source(source: str) -> str:
    normalized = source.strip().lower()
    for prefix in ("registry.terraform.io/", "registry.opentofu.org/"):
        normalized = normalized.removeprefix(prefix)
    if "/" not in normalized:
        normalized = "hashicorp/" + normalized
    return normalized


_GIT_PREFIX = re.compile(r"^(git::|hg::|s3::|gcs::)")


def normalize_module_source(source: str) -> str:
    """A module source in the form rules match: no registry host, scheme, .git suffix or ref."""
    text = source.strip()
    text = _GIT_PREFIX.sub("", text)
    text = re.sub(r"^[a-z]+://", "", text)
    text = re.sub(r"^git@([^:]+):", r"\1/", text)
    text = text.split("?", 1)[0]
    for prefix in ("registry.terraform.io/", "registry.opentofu.org/"):
        text = text.removeprefix(prefix)
    subdir = ""
    if "//" in text:
        text, subdir = text.split("//", 1)
        subdir = "//" + subdir
    text = text.removesuffix(".git")
    return (text + subdir).lower()
