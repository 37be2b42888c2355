"""What each CI system says, read from composed documents into signals (see analyse.py).

- GitHub Actions: `uses:` of steps and reusable-workflow jobs (`ci_action`, `docker://` as
  `ci_image`), `runs-on` labels (`ci_runner`), job `container:`/`services:` images, `run:` scripts.
- GitLab CI: `image:` and `services:` (top level, `default:`, jobs), `script:`, `before_script:`
  and `after_script:` lines, `include:` of local files.
- Azure Pipelines: every `task:` (`ci_task`), and `script:`/`bash:`/`pwsh:`/`powershell:` steps
  and tasks' inline scripts.
- Cloud Build: step images (`name:`), `gcloud` builder arguments, `script:` and `args:` lines.
- Cloud Deploy: each Target's runtime (`ci_target`).
Every file also gets its CI system (`ci_system`) at its first line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from portacheck._yaml import Document, YList, YMap
from portacheck.model import Location, Signal
from portacheck.parse.kubernetes.objects import image_repository
from portacheck.parse.kubernetes.walk import _keyed_mappings, _string_leaves
from portacheck.parse.pipelines import claims
from portacheck.parse.pipelines.commands import commands

ARM_INPUTS = frozenset({"azuresubscription", "azuresubscriptionendpoint", "connectedservicenamearm", "azureresourcemanagerconnection"})


class Collector:
    """The signals of one file, and the local files it includes (GitLab)."""

    def __init__(self, rel: str):
        self.rel = rel
        self.signals: list[Signal] = []
        self.includes: list[tuple[str, int]] = []

    def add(self, kind: str, value: str, line: int, context: str = "") -> None:
        self.signals.append(Signal(kind, value, Location(self.rel, line), context))

    def image(self, value: Any, line: int, context: str) -> None:
        if isinstance(value, YMap):  # GitLab `image: {name: ...}`, GitHub `container: {image: ...}`
            line = value.value_lines.get("name", value.value_lines.get("image", line))
            value = value.get("name", value.get("image"))
        if isinstance(value, str) and value.strip() and "${{" not in value:
            self.add("ci_image", image_repository(value.strip()), line, context)

    def strings(self, root: Any, scripts: re.Pattern[str], shared: re.Pattern[str] | None = None, skip: frozenset[str] = frozenset()) -> None:
        """Every string as a `text` signal (but the top-level keys in `skip`); those at script paths also as `ci_command`s."""
        for path, line, value in _string_leaves(root, ""):
            if path in skip:
                continue
            found = shared.match(path) if shared else None
            context = found.group(1) if found else path
            self.add("text", value, line, context)
            if scripts.search(path):
                for offset, command in commands(value):
                    self.add("ci_command", command, line + offset, context)


def _mapping_items(node: Any) -> list[tuple[str, Any, int]]:
    return [(k, v, node.key_lines.get(k, node.line)) for k, v in node.items()] if isinstance(node, YMap) else []


def _roots(documents: Sequence[Document], c: Collector, system: str, kinds: tuple[type, ...] = (YMap,)) -> Iterator[Any]:
    """The documents' roots of the shape a reader reads; the file's CI system is said once, at the first."""
    for document in documents:
        if isinstance(document.root, kinds):
            if not c.signals:
                c.add("ci_system", system, document.line)
            yield document.root


# --- GitHub Actions -------------------------------------------------------------------------

_GITHUB_SCRIPTS = re.compile(r"\.run$")
_GITHUB_SHARED = re.compile(r"^((?:jobs\.[^.\[]+)(?:\.steps\[\d+\])?|runs\.steps\[\d+\])\.(?:uses|with)\b")


def _action(uses: str) -> str:
    """`aws-actions/configure-aws-credentials@v4` -> `aws-actions/configure-aws-credentials`."""
    return uses.strip().split("@", 1)[0].rstrip("/").lower()


def github(documents: Sequence[Document], c: Collector) -> None:
    for root in _roots(documents, c, claims.GITHUB):
        for name, job, _line in _mapping_items(root.get("jobs")):
            if isinstance(job, YMap):
                _github_job(job, f"jobs.{name}", c)
        runs = root.get("runs")
        if isinstance(runs, YMap):
            _github_steps(runs.get("steps"), "runs.steps", c)
            if isinstance(runs.get("image"), str) and runs["image"].startswith("docker://"):
                c.image(runs["image"][len("docker://"):], runs.value_lines["image"], "runs.image")
        c.strings(root, _GITHUB_SCRIPTS, _GITHUB_SHARED)


def _github_job(job: YMap, path: str, c: Collector) -> None:
    uses = job.get("uses")
    if isinstance(uses, str) and not uses.startswith("./"):
        c.add("ci_action", _action(uses), job.value_lines["uses"], path)
    labels = job.get("runs-on")
    if isinstance(labels, YMap):
        labels = labels.get("labels")
    for label in [labels] if isinstance(labels, str) else labels if isinstance(labels, YList) else []:
        if isinstance(label, str) and label.strip() and not label.strip().startswith("${{"):
            c.add("ci_runner", label.strip().lower(), job.value_lines["runs-on"], f"{path}.runs-on")
    if "container" in job:
        c.image(job["container"], job.value_lines["container"], f"{path}.container")
    for name, service, line in _mapping_items(job.get("services")):
        c.image(service, line, f"{path}.services.{name}")
    _github_steps(job.get("steps"), f"{path}.steps", c)


def _github_steps(steps: Any, path: str, c: Collector) -> None:
    if not isinstance(steps, YList):
        return
    for index, step in enumerate(steps):
        uses = step.get("uses") if isinstance(step, YMap) else None
        if not isinstance(uses, str) or uses.startswith("./"):
            continue
        line = step.value_lines["uses"]
        if uses.startswith("docker://"):
            c.image(uses[len("docker://"):], line, f"{path}[{index}]")
        else:
            c.add("ci_action", _action(uses), line, f"{path}[{index}]")


# --- GitLab CI ------------------------------------------------------------------------------

_GITLAB_SCRIPTS = re.compile(r"(?:^|\.)(?:before_|after_)?script(?:\[\d+\])*$")
_GITLAB_KEYWORDS = frozenset({"stages", "variables", "include", "workflow", "cache", "before_script", "after_script", "spec"})


def gitlab(documents: Sequence[Document], c: Collector) -> None:
    for root in _roots(documents, c, claims.GITLAB):
        for name, job, line in _mapping_items(root):
            if name == "include":
                _gitlab_includes(job, line, c)
            elif name in ("image", "services"):
                _gitlab_images(root, name, "", c)
            elif isinstance(job, YMap) and name not in _GITLAB_KEYWORDS:
                for key in ("image", "services"):
                    if key in job:
                        _gitlab_images(job, key, f"{name}.", c)
        c.strings(root, _GITLAB_SCRIPTS)


def _gitlab_images(owner: YMap, key: str, prefix: str, c: Collector) -> None:
    value, line = owner[key], owner.value_lines[key]
    if key == "image":
        c.image(value, line, f"{prefix}image")
    elif isinstance(value, YList):
        for index, service in enumerate(value):
            c.image(service, value.item_lines[index], f"{prefix}services[{index}]")


def _gitlab_includes(value: Any, line: int, c: Collector) -> None:
    entries = [value] if isinstance(value, (str, YMap)) else list(value) if isinstance(value, YList) else []
    lines = value.item_lines if isinstance(value, YList) else [line] * len(entries)
    for entry, entry_line in zip(entries, lines, strict=True):
        if isinstance(entry, str) and not entry.startswith(("http://", "https://")):
            c.includes.append((entry, entry_line))
        elif isinstance(entry, YMap) and isinstance(entry.get("local"), str):
            c.includes.append((entry["local"], entry.value_lines["local"]))


# --- Azure Pipelines ------------------------------------------------------------------------

_AZURE_SCRIPTS = re.compile(r"\.(?:script|bash|pwsh|powershell)$|^(?:script|bash|pwsh|powershell)$|\.inputs\.(?:inlinescript|script|inline)$", re.I)
_AZURE_SHARED = re.compile(r"^(.*steps\[\d+\])\.(?:task|inputs)\b")


def azure(documents: Sequence[Document], c: Collector) -> None:
    for root in _roots(documents, c, claims.AZURE, (YMap, YList)):
        for path, step, _key in _keyed_mappings(root, "", ("task",)):
            task = step["task"]
            if not isinstance(task, str) or not task.strip():
                continue
            name = task.strip().split("@", 1)[0].lower()
            inputs = step.get("inputs")
            keys = {k.lower() for k in inputs} if isinstance(inputs, YMap) else set()
            if keys & ARM_INPUTS and not name.startswith("azure"):
                name += "/arm"
            c.add("ci_task", name, step.value_lines["task"], path)
        c.strings(root, _AZURE_SCRIPTS, _AZURE_SHARED)


# --- Google Cloud Build and Cloud Deploy ----------------------------------------------------

_CLOUDBUILD_SCRIPTS = re.compile(r"steps\[\d+\]\.(?:script|args\[\d+\])$")


def cloudbuild(documents: Sequence[Document], c: Collector) -> None:
    for root in _roots(documents, c, claims.CLOUDBUILD):
        steps = root.get("steps")
        for index, step in enumerate(steps if isinstance(steps, YList) else []):
            if not isinstance(step, YMap):
                continue
            path = f"steps[{index}]"
            builder = step.get("name")
            if "name" in step:
                c.image(builder, step.value_lines["name"], f"{path}.name")
            entrypoint = step.get("entrypoint")
            args = step.get("args")
            gcloud = entrypoint == "gcloud" or (entrypoint is None and isinstance(builder, str) and builder.split(":")[0].endswith("/gcloud"))
            if gcloud and isinstance(args, YList) and args and isinstance(args[0], str):
                words = [a for a in args if isinstance(a, str)]
                value = next((f"gcloud {w}" for w in words if not w.startswith("-") and w not in ("alpha", "beta")), "gcloud")
                c.add("ci_command", value.lower(), args.item_lines[0], f"{path}.args[0]")
        c.strings(root, _CLOUDBUILD_SCRIPTS)


_NO_SCRIPTS = re.compile(r"(?!)")
_DEPLOY_RUNTIMES = ("gke", "run", "anthosCluster", "customTarget", "multiTarget")


def clouddeploy(documents: Sequence[Document], c: Collector) -> None:
    for root in _roots(documents, c, claims.CLOUDDEPLOY):
        if root.get("kind") == "Target":
            for key in _DEPLOY_RUNTIMES:
                if key in root:
                    c.add("ci_target", f"clouddeploy:{key.lower()}", root.key_lines[key], key)
        c.strings(root, _NO_SCRIPTS, skip=frozenset({"apiVersion"}))  # the API's name is no endpoint in use


READERS: dict[str, Callable[[Sequence[Document], Collector], None]] = {
    claims.GITHUB: github,
    claims.GITLAB: gitlab,
    claims.AZURE: azure,
    claims.CLOUDBUILD: cloudbuild,
    claims.CLOUDDEPLOY: clouddeploy,
}
