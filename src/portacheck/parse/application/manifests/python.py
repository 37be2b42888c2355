"""Python: requirements files, pyproject.toml (PEP 621, PEP 735 groups, Poetry, uv), Pipfile, setup.cfg.

    boto3==1.34.0                       requirements*.txt / *.in: one requirement a line
    dependencies = ["boto3>=1.34"]      pyproject.toml [project], optional-dependencies, dependency-groups
    boto3 = "^1.34"                     [tool.poetry.dependencies], Pipfile [packages]
    install_requires = boto3            setup.cfg [options], [options.extras_require]

Names are normalised as PEP 503 does (`Google_Cloud.PubSub` is `google-cloud-pubsub`). Options
(`-r`, `-e`, `--index-url`), URLs and local paths are skipped; setup.py is not read (it is code).
"""

from __future__ import annotations

import re
from typing import Any

from portacheck.parse.application.formats import TextLines, load_toml
from portacheck.parse.application.manifests import Dependency, unique

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)$")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def split_requirement(text: str) -> tuple[str, str] | None:
    """(name as written, version constraint) of a PEP 508 requirement, or None for URLs, paths, options."""
    text = text.strip()
    if not text or text.startswith(("-", ".", "/", "#")) or "://" in text.split(";", 1)[0].split("@", 1)[0]:
        return None
    found = _REQUIREMENT.match(text)
    if not found:
        return None
    # the version constraint, without markers (`; python_version...`) and pip options (`--hash=...`)
    rest = re.split(r"(?:^|\s)--", found.group(2).split(";", 1)[0], maxsplit=1)[0].strip()
    return found.group(1), "" if rest.startswith("@") else rest


def requirements(text: str, _name: str) -> list[Dependency]:
    result = []
    logical, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw)
        if not logical:
            start = number
        if line.rstrip().endswith("\\"):
            logical += line.rstrip()[:-1] + " "
            continue
        logical += line
        parsed = split_requirement(logical)
        logical = ""
        if parsed:
            result.append(Dependency("pypi", normalise(parsed[0]), start, "requirements", parsed[1]))
    return unique(result)


def pyproject(text: str, _name: str) -> list[Dependency]:
    data = load_toml(text)
    lines = TextLines(text)
    result: list[Dependency] = []
    project = _table(data.get("project"))
    result += _pep508(project.get("dependencies"), lines, "project", "dependencies")
    for group, items in sorted(_table(project.get("optional-dependencies")).items()):
        result += _pep508(items, lines, "project.optional-dependencies", f"optional-dependencies.{group}")
    for group, items in sorted(_table(data.get("dependency-groups")).items()):
        result += _pep508(items, lines, "dependency-groups", f"dependency-groups.{group}")
    tool = _table(data.get("tool"))
    uv = _table(tool.get("uv"))
    result += _pep508(uv.get("dev-dependencies"), lines, "tool.uv", "tool.uv.dev-dependencies")
    poetry = _table(tool.get("poetry"))
    result += _keyed(poetry.get("dependencies"), lines, "tool.poetry.dependencies")
    result += _keyed(poetry.get("dev-dependencies"), lines, "tool.poetry.dev-dependencies")
    for group, body in sorted(_table(poetry.get("group")).items()):
        result += _keyed(_table(body).get("dependencies"), lines, f"tool.poetry.group.{group}.dependencies")
    return unique(result)


def pipfile(text: str, _name: str) -> list[Dependency]:
    data = load_toml(text)
    lines = TextLines(text)
    return unique(_keyed(data.get("packages"), lines, "packages") + _keyed(data.get("dev-packages"), lines, "dev-packages"))


def setup_cfg(text: str, _name: str) -> list[Dependency]:
    """install_requires and extras_require; an INI file whose list values continue on indented lines."""
    result = []
    section, key = "", ""
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith(("#", ";")):
            continue
        header = re.match(r"^\[([^\]]+)\]", raw)
        if header:
            section, key = header.group(1).strip(), ""
            continue
        if raw[0] in " \t":  # a continuation line of the current key
            value = raw
        else:
            name, sep, value = raw.partition("=")
            if not sep:
                name, sep, value = raw.partition(":")
            key = name.strip() if sep else ""
        if (section == "options" and key == "install_requires") or section == "options.extras_require":
            where = "install_requires" if section == "options" else f"extras_require.{key}"
            parsed = split_requirement(value)
            if parsed:
                result.append(Dependency("pypi", normalise(parsed[0]), number, where, parsed[1]))
    return unique(result)


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _pep508(items: Any, lines: TextLines, table: str, section: str) -> list[Dependency]:
    result = []
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, str):
            continue  # {include-group = "..."}
        parsed = split_requirement(item)
        if parsed:
            line = lines.string_line(parsed[0], table)
            result.append(Dependency("pypi", normalise(parsed[0]), line, section, parsed[1]))
    return result


def _keyed(table: Any, lines: TextLines, section: str) -> list[Dependency]:
    result = []
    for name, spec in _table(table).items():
        if name.lower() == "python":
            continue
        version = spec if isinstance(spec, str) else str(spec.get("version", "")) if isinstance(spec, dict) else ""
        result.append(Dependency("pypi", normalise(name), lines.key_line(name, section), section, version))
    return result
