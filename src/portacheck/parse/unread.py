"""Infrastructure formats portacheck has no reader for yet, recognised so they never pass silently.

A SAM template or a Bicep file deploys cloud resources just as a Terraform module does; a scan
that skipped it would report "no deployed cloud resources" and pass. Each format here claims
its files from the path and the file's first 8 KiB (name checks first, then a few byte
patterns; never a parse, never executing anything), and the scan reports every claimed file
as not analysed. A real reader later replaces the format's entry.

Decisions at the edges:
- `.hcl` is Terragrunt only with Terragrunt blocks (`include`, `dependency`, `remote_state`,
  `inputs =`, `terraform { source = … }`, `generate`) or functions (`find_in_parent_folders`,
  `read_terragrunt_config`…). A fragment holding plain `locals` (`account.hcl`) is not claimed:
  it deploys nothing, and the `terragrunt.hcl` reading it is. Packer (`*.pkr.hcl`, `source
  "amazon-ebs" "…"`, `build {}`, legacy JSON `builders`) is its own format: it builds
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


# --- Terraform plan and state ------------------------------------------------------------------

_FORMAT_VERSION = re.compile(rb'"format_version"\s*:')
_TERRAFORM_VERSION = re.compile(rb'"terraform_version"\s*:')
_PLAN_KEYS = re.compile(rb'"(?:planned_values|resource_changes|prior_state)"\s*:')
_PLAN_VARIABLES = re.compile(rb'"variables"\s*:')  # `terraform show -json` plans open with them
_LINEAGE = re.compile(rb'"lineage"\s*:')
_SHOWN_STATE = re.compile(rb'"values"\s*:')  # `terraform show -json` of a state


def _terraform_json(relpath: str, head: bytes) -> bool:
    return _name(relpath).lower().endswith(_JSON_SUFFIXES) and _is_json(head)


def _is_terraform_plan(relpath: str, head: bytes) -> bool:
    if not _terraform_json(relpath, head) or not _FORMAT_VERSION.search(head):
        return False
    return bool(_PLAN_KEYS.search(head) or (_TERRAFORM_VERSION.search(head) and _PLAN_VARIABLES.search(head)))


def _is_terraform_state(relpath: str, head: bytes) -> bool:
    if _name(relpath).endswith((".tfstate", ".tfstate.backup")):
        return True
    if not _terraform_json(relpath, head) or not _TERRAFORM_VERSION.search(head) or _is_terraform_plan(relpath, head):
        return False
    return bool(_LINEAGE.search(head) or (_FORMAT_VERSION.search(head) and _SHOWN_STATE.search(head)))


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


# --- Azure: Bicep, ARM templates, Azure Pipelines ------------------------------------------------

_ARM_SCHEMA = re.compile(
    rb'"\$schema"\s*:\s*"[^"]*/(?:(?:subscription|managementGroup|tenant)?deploymentTemplate|deploymentParameters)\.json#?"',
    re.I,
)


def _is_bicep(relpath: str, head: bytes) -> bool:
    return _name(relpath).lower().endswith((".bicep", ".bicepparam"))


def _is_arm(relpath: str, head: bytes) -> bool:
    return _name(relpath).lower().endswith(_JSON_SUFFIXES) and _is_json(head) and bool(_ARM_SCHEMA.search(head))


_AZURE_PIPELINES_NAME = re.compile(r"^(?:azure-pipelines(?:[.-][\w.-]+)?|[\w.-]+\.azure-pipelines)\.ya?ml$")
_AZURE_PIPELINES_DIRS = frozenset({".azure-pipelines", "azure-pipelines", ".azuredevops"})
_AZURE_TRIGGER = re.compile(rb"\n(?:trigger|pool)\s*:")
_AZURE_BODY = re.compile(rb"\n(?:steps|stages|jobs)\s*:")
_AZURE_TASK = (re.compile(rb"task\s*:\s*[\"']?[\w.-]+@\d+"), re.compile(rb"vmImage\s*:"))


def _is_azure_pipelines(relpath: str, head: bytes) -> bool:
    if not _structured(relpath, head, _YAML_SUFFIXES):
        return False
    if _AZURE_PIPELINES_NAME.match(_name(relpath).lower()) or _AZURE_PIPELINES_DIRS.intersection(_dirs(relpath)):
        return True
    lines = _lines(head)
    return bool(_AZURE_TRIGGER.search(lines) and _AZURE_BODY.search(lines) and _any(_AZURE_TASK, head))


# --- Google Cloud Build -------------------------------------------------------------------------

_CLOUDBUILD_NAME = re.compile(r"^cloudbuild(?:[.\-_][\w.-]+)?\.(?:ya?ml|json)$")
_CLOUDBUILD_STEPS = (re.compile(rb"\nsteps\s*:"), re.compile(rb'"steps"\s*:\s*\['))
_CLOUDBUILD_BUILDER = re.compile(rb"""name["']?\s*:\s*["']?gcr\.io/(?:cloud-builders|google\.com/cloudsdktool)/""")


def _is_cloudbuild(relpath: str, head: bytes) -> bool:
    if _CLOUDBUILD_NAME.match(_name(relpath).lower()):
        return True
    if b"gcr.io/" not in head or not _structured(relpath, head):
        return False
    return _any(_CLOUDBUILD_STEPS, _lines(head)) and bool(_CLOUDBUILD_BUILDER.search(head))


# --- Terragrunt, Packer -----------------------------------------------------------------

_TERRAGRUNT_NAMES = ("terragrunt.hcl", "terragrunt.hcl.json", "terragrunt.stack.hcl")
_TERRAGRUNT_BLOCKS = re.compile(
    rb'\n(?:include(?:\s+"[^"]*")?\s*\{|dependency\s+"[^"]*"\s*\{|dependencies\s*\{'
    rb'|remote_state\s*\{|inputs\s*=|generate\s+"[^"]*"\s*\{)'
)
_TERRAGRUNT_FUNCTIONS = (
    b"find_in_parent_folders(", b"read_terragrunt_config(", b"get_terragrunt_dir(", b"get_parent_terragrunt_dir(",
    b"path_relative_to_include(",
)
_TERRAFORM_BLOCK = re.compile(rb"\nterraform\s*\{")
_SOURCE_ATTRIBUTE = re.compile(rb"\n[ \t]+source\s*=")


def _is_terragrunt(relpath: str, head: bytes) -> bool:
    name = _name(relpath)
    if name in _TERRAGRUNT_NAMES:
        return True
    if not name.endswith(".hcl") or name.endswith((".pkr.hcl", ".pkrvars.hcl")) or name == ".terraform.lock.hcl":
        return False
    lines = _lines(head)
    if _TERRAGRUNT_BLOCKS.search(lines) or any(function in head for function in _TERRAGRUNT_FUNCTIONS):
        return True
    return bool(_TERRAFORM_BLOCK.search(lines) and _SOURCE_ATTRIBUTE.search(lines))


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
    UnreadFormat("terraform-plan", "Terraform plan JSON", _is_terraform_plan),
    UnreadFormat("terraform-state", "Terraform state", _is_terraform_state),
    UnreadFormat("bicep", "Bicep", _is_bicep),
    UnreadFormat("arm", "ARM template", _is_arm),
    UnreadFormat("serverless-code", "Serverless Framework (TypeScript, JavaScript)", _is_serverless_code),
    UnreadFormat("terragrunt", "Terragrunt", _is_terragrunt),
    UnreadFormat("packer", "Packer", _is_packer),
    UnreadFormat("copilot", "AWS Copilot", _is_copilot),
    UnreadFormat("codebuild", "AWS CodeBuild buildspec", _is_codebuild),
    UnreadFormat("cloudbuild", "Google Cloud Build", _is_cloudbuild),
    UnreadFormat("azure-pipelines", "Azure Pipelines", _is_azure_pipelines),
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
SUFFIXES = SNIFF_SUFFIXES + (".bicep", ".bicepparam", ".tfstate", ".tfstate.backup", "serverless.ts", "serverless.js")


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
