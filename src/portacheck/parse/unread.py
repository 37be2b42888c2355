"""Infrastructure formats portacheck has no reader for yet, recognised so they never pass silently.

A SAM template or a Bicep file deploys cloud resources just as a Terraform module does; a scan
that skipped it would report "no deployed cloud resources" and pass. Each format here claims
its files from the path and the file's first 8 KiB (name checks first, then a few byte
patterns; never a parse, never executing anything), and the scan reports every claimed file
as not analysed. A real reader later replaces the format's entry.

Decisions at the edges:
- `.hcl` files of Terragrunt are claimed by its frontend (before these). Packer (`*.pkr.hcl`,
  `source "amazon-ebs" "…"`, `build {}`, legacy JSON `builders`) is its own format: it builds
  provider images. Nomad jobs, Vault and Consul policies, `.terraform.lock.hcl`: not claimed.
- YAML and JSON shaped like a Kubernetes object (top-level `apiVersion` and `kind`) are never
  claimed by content: the Kubernetes analyser reads them.
- AWS CodeBuild buildspecs and AWS Copilot manifests are recognised; CodePipeline definitions
  (JSON from the API, no file convention) are not. CDK apps and their synth output: parse/cdk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from portacheck.model import ParseResult, ScanError, SourceFile
from portacheck.parse import Frontend

HEAD_BYTES = 8192  # how much of a file `claims` sees

_YAML_SUFFIXES = (".yaml", ".yml")
_JSON_SUFFIXES = (".json",)


@dataclass(frozen=True)
class UnreadFormat:
    name: str  # the kind discovery gives the file, e.g. "bicep"
    title: str  # as reports show it, e.g. "Bicep"
    claims: Callable[[str, bytes], bool]  # (posix relpath, head = first 8 KiB) -> is it this format?


def _name(relpath: str) -> str:
    return relpath.rsplit("/", 1)[-1]


def _dirs(relpath: str) -> list[str]:
    return relpath.split("/")[:-1]


def _any(patterns: tuple[re.Pattern[bytes], ...], head: bytes) -> bool:
    return any(p.search(head) for p in patterns)


def _lines(head: bytes) -> bytes:
    """The head with a newline before it, for patterns of a key at column 0: `\\nkey:`.

    Python's re finds a pattern that opens with a literal quickly and tries every position
    otherwise (`^key` with re.M is 20 times slower on 8 KiB), so every pattern here opens
    with a literal.
    """
    return b"\n" + head.removeprefix(b"\xef\xbb\xbf")


def _is_json(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


# A Kubernetes object: YAML with `apiVersion` and `kind` at column 0, or JSON opening with either.
_K8S_YAML = (re.compile(rb"\napiVersion\s*:"), re.compile(rb"\nkind\s*:"))
_K8S_JSON = re.compile(rb'^\s*\{\s*"(?:apiVersion|kind)"\s*:')


def _structured(relpath: str, head: bytes, suffixes: tuple[str, ...] = _YAML_SUFFIXES + _JSON_SUFFIXES) -> bool:
    """A YAML or JSON file worth a look by content: the right suffix and not a Kubernetes object."""
    if not _name(relpath).lower().endswith(suffixes):
        return False
    if _is_json(head):
        return not _K8S_JSON.match(head.lstrip(b"\xef\xbb\xbf"))
    return not all(p.search(_lines(head)) for p in _K8S_YAML)


# --- AWS: Serverless Framework, CodeBuild, Copilot (CloudFormation, SAM, CDK: parse/cloudformation) --

def _is_serverless_code(relpath: str, head: bytes) -> bool:
    """`serverless.ts`/`.js`: a program building the configuration (YAML and JSON: parse/serverless)."""
    return _name(relpath) in ("serverless.ts", "serverless.js")


_BUILDSPEC_NAME = re.compile(r"^buildspec[\w.-]*\.ya?ml$")
_BUILDSPEC_PHASES = re.compile(rb"\nphases\s*:")
_BUILDSPEC_VERSION = re.compile(rb"\nversion\s*:\s*[\"']?0\.[12]\b")


def _is_codebuild(relpath: str, head: bytes) -> bool:
    if b"phases" not in head or not _structured(relpath, head, _YAML_SUFFIXES):
        return False
    if not _BUILDSPEC_PHASES.search(_lines(head)):
        return False
    return bool(_BUILDSPEC_NAME.match(_name(relpath).lower()) or _BUILDSPEC_VERSION.search(_lines(head)))


_COPILOT_KEYS = re.compile(rb"\n(?:type|name)\s*:")


def _is_copilot(relpath: str, head: bytes) -> bool:
    if _name(relpath) not in ("manifest.yml", "manifest.yaml") or "copilot" not in _dirs(relpath):
        return False
    return bool(_COPILOT_KEYS.search(_lines(head)))



# --- Packer ------------------------------------------------------------------------------------

_PACKER_BLOCKS = re.compile(rb'\n(?:source\s+"[\w-]+"\s+"[^"]*"\s*\{|build\s*\{|packer\s*\{)')
_PACKER_LEGACY = (re.compile(rb'"builders"\s*:\s*\[\s*\{'), re.compile(rb'"type"\s*:\s*"'))


def _is_packer(relpath: str, head: bytes) -> bool:
    name = _name(relpath)
    if name.endswith((".pkr.hcl", ".pkr.json", ".pkrvars.hcl")):
        return True
    if name.endswith(".hcl"):
        return bool(_PACKER_BLOCKS.search(_lines(head)))
    return name.endswith(_JSON_SUFFIXES) and _is_json(head) and all(p.search(head) for p in _PACKER_LEGACY)



# Order matters: the first format that claims a file wins. Formats known by their name or a
# distinctive key come first.
UNREAD_FORMATS: tuple[UnreadFormat, ...] = (
    UnreadFormat("serverless-code", "Serverless Framework (TypeScript, JavaScript)", _is_serverless_code),
    UnreadFormat("packer", "Packer", _is_packer),
    UnreadFormat("copilot", "AWS Copilot", _is_copilot),
    UnreadFormat("codebuild", "AWS CodeBuild buildspec", _is_codebuild),
)


def claim(relpath: str, head: bytes) -> UnreadFormat | None:
    """The unread format of a file, from its posix relpath and first 8 KiB, or None."""
    head = head[:HEAD_BYTES]
    for unread in UNREAD_FORMATS:
        if unread.claims(relpath, head):
            return unread
    return None


# --- as frontends ----------------------------------------------------------------------------

# Name endings whose first bytes some format needs, and every ending a format here may claim
# (the pre-commit hook must pass those files).
SNIFF_SUFFIXES = (".yaml", ".yml", ".json", ".hcl", ".template")
SUFFIXES = SNIFF_SUFFIXES + (".bicep", ".bicepparam", "serverless.ts", "serverless.js")


def _not_analysed(title: str):
    def parse(files: Sequence[SourceFile], context: Any, options: Any) -> ParseResult:
        message = f"not analysed: {title} (no reader for this format)"
        return ParseResult(errors=tuple(ScanError(source.relpath, message) for source in files))

    return parse


FRONTENDS: tuple[Frontend, ...] = tuple(
    Frontend(
        name=unread.name,
        title=unread.title,
        claims=unread.claims,
        parse=_not_analysed(unread.title),
        suffixes=SUFFIXES,
        sniff_suffixes=SNIFF_SUFFIXES,
        analysed=False,
    )
    for unread in UNREAD_FORMATS
)
