"""The pipelines frontend: delivery pipelines that tie the release process to one cloud.

GitHub Actions workflows and actions, GitLab CI files (and the local files they include),
Azure Pipelines, Google Cloud Build and Cloud Deploy. One frontend for all five: they are
all YAML read the same way, emit the same signal kinds (an action, a task, an image, a
provider CLI command) and become the same kind of Resource, one per file, of kind `pipeline`:
not deployed (the resource view does not count it) but judged, with its effort (see assess.py).

This module only declares the frontend; reading lives in `analyse.py` and the modules beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portacheck.model import MatchKind, ParseResult, SourceFile
from portacheck.parse import Frontend, ParseContext
from portacheck.parse.pipelines.claims import YAML_SUFFIXES, system

SOURCE = "pipelines"
SUFFIXES = YAML_SUFFIXES + (".json",)


def _claims(relpath: str, head: bytes) -> bool:
    return system(relpath, head) is not None


def _parse(files: Sequence[SourceFile], context: ParseContext, options: Any) -> ParseResult:
    from portacheck.parse.pipelines.analyse import parse

    return parse(files, context)


FRONTEND = Frontend(
    name=SOURCE,
    title="CI/CD pipeline",
    claims=_claims,
    parse=_parse,
    suffixes=SUFFIXES,
    sniff_suffixes=SUFFIXES,
    match_kinds={
        "ci_system": MatchKind(
            "the CI/CD system a pipeline file runs on: `github-actions`, `gitlab-ci`, `azure-pipelines`, `cloudbuild`, `clouddeploy`",
            "CI system",
        ),
        "ci_action": MatchKind("GitHub Actions `uses:` as `owner/repo[/path]`, lower-cased, without version", "GitHub action"),
        "ci_task": MatchKind(
            "Azure Pipelines tasks without version (`azurecli`); `<task>/arm` when given an Azure Resource Manager connection", "Azure Pipelines task"
        ),
        "ci_image": MatchKind(
            "images of CI jobs and steps (GitLab `image:`/`services:`, Cloud Build step `name:`), repository without tag, registry explicit",
            "CI image",
        ),
        "ci_command": MatchKind(
            "provider CLIs in scripts as `tool subcommand` (`aws ecs`, `gcloud run`, `az webapp`, `sam deploy`, `eksctl create`)", "CI command"
        ),
        "ci_runner": MatchKind("GitHub Actions `runs-on` labels (`codebuild-<project>-...` for CodeBuild-hosted runners)", "CI runner label"),
        "ci_target": MatchKind("Cloud Deploy Target runtimes as `clouddeploy:<key>` (`clouddeploy:gke`, `clouddeploy:run`)", "Cloud Deploy target"),
    },
)
