"""Which CI system a file belongs to, from its path and first 8 KiB (never a parse).

- GitHub Actions: `*.yml|yaml` under `.github/workflows/`, and composite or Docker actions
  (`action.yml|yaml` with `runs:`), which also live outside `.github/actions/` in action repositories.
- GitLab CI: `.gitlab-ci.yml`, `*.gitlab-ci.yml` and YAML under `.gitlab/ci/`; other files a
  pipeline `include:`s locally are read by the frontend itself (analyse.py), not claimed here.
- Azure Pipelines and Google Cloud Build: the recognisers that unread.py had.
- Google Cloud Deploy: YAML with `apiVersion: deploy.cloud.google.com/...`; those look like
  Kubernetes objects, so this frontend goes before Kubernetes in the registry.
"""

from __future__ import annotations

import re
from itertools import pairwise

from portacheck.parse.unread import _any, _dirs, _lines, _name, _structured

YAML_SUFFIXES = (".yaml", ".yml")

GITHUB = "github-actions"
GITLAB = "gitlab-ci"
AZURE = "azure-pipelines"
CLOUDBUILD = "cloudbuild"
CLOUDDEPLOY = "clouddeploy"

_ACTION_NAMES = ("action.yml", "action.yaml")
_ACTION_RUNS = re.compile(rb"\nruns\s*:")


def _under(relpath: str, parent: str, child: str) -> bool:
    """Whether the file lies below a `parent/child/` directory pair, at any depth."""
    return (parent, child) in pairwise(_dirs(relpath))


def _is_github(relpath: str, head: bytes) -> bool:
    name = _name(relpath)
    if not name.lower().endswith(YAML_SUFFIXES):
        return False
    if _under(relpath, ".github", "workflows"):
        return True
    return name in _ACTION_NAMES and bool(_ACTION_RUNS.search(_lines(head)))


def _is_gitlab(relpath: str, head: bytes) -> bool:
    name = _name(relpath).lower()
    if name in (".gitlab-ci.yml", ".gitlab-ci.yaml") or name.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")):
        return True
    return name.endswith(YAML_SUFFIXES) and _under(relpath, ".gitlab", "ci")


_AZURE_PIPELINES_NAME = re.compile(r"^(?:azure-pipelines(?:[.-][\w.-]+)?|[\w.-]+\.azure-pipelines)\.ya?ml$")
_AZURE_PIPELINES_DIRS = frozenset({".azure-pipelines", "azure-pipelines", ".azuredevops"})
_AZURE_TRIGGER = re.compile(rb"\n(?:trigger|pool)\s*:")
_AZURE_BODY = re.compile(rb"\n(?:steps|stages|jobs)\s*:")
_AZURE_TASK = (re.compile(rb"task\s*:\s*[\"']?[\w.-]+@\d+"), re.compile(rb"vmImage\s*:"))


def _is_azure_pipelines(relpath: str, head: bytes) -> bool:
    if not _structured(relpath, head, YAML_SUFFIXES):
        return False
    if _AZURE_PIPELINES_NAME.match(_name(relpath).lower()) or _AZURE_PIPELINES_DIRS.intersection(_dirs(relpath)):
        return True
    lines = _lines(head)
    return bool(_AZURE_TRIGGER.search(lines) and _AZURE_BODY.search(lines) and _any(_AZURE_TASK, head))


_CLOUDBUILD_NAME = re.compile(r"^cloudbuild(?:[.\-_][\w.-]+)?\.(?:ya?ml|json)$")
_CLOUDBUILD_STEPS = (re.compile(rb"\nsteps\s*:"), re.compile(rb'"steps"\s*:\s*\['))
_CLOUDBUILD_BUILDER = re.compile(rb"""name["']?\s*:\s*["']?gcr\.io/(?:cloud-builders|google\.com/cloudsdktool)/""")


def _is_cloudbuild(relpath: str, head: bytes) -> bool:
    if _CLOUDBUILD_NAME.match(_name(relpath).lower()):
        return True
    if b"gcr.io/" not in head or not _structured(relpath, head):
        return False
    return _any(_CLOUDBUILD_STEPS, _lines(head)) and bool(_CLOUDBUILD_BUILDER.search(head))


_CLOUDDEPLOY_API = re.compile(rb"""\napiVersion\s*:\s*["']?deploy\.cloud\.google\.com/""")


def _is_clouddeploy(relpath: str, head: bytes) -> bool:
    if not _name(relpath).lower().endswith(YAML_SUFFIXES):
        return False
    return b"deploy.cloud.google.com/" in head and bool(_CLOUDDEPLOY_API.search(_lines(head)))


# The first that claims a file wins: path conventions first, content last.
SYSTEMS = (
    (GITHUB, _is_github),
    (GITLAB, _is_gitlab),
    (CLOUDDEPLOY, _is_clouddeploy),
    (CLOUDBUILD, _is_cloudbuild),
    (AZURE, _is_azure_pipelines),
)


def system(relpath: str, head: bytes) -> str | None:
    """The CI system of a file, or None."""
    for name, claims in SYSTEMS:
        if claims(relpath, head):
            return name
    return None
