"""Dependency manifests, one module per ecosystem: text in, the dependencies it declares out.

A reader takes a manifest's text and file name and returns Dependency values with the line a
person would look at; it raises InputError (with a line where known) for a file it cannot
parse. Readers only declare what the manifest names: nothing is resolved, fetched or run, and
lock files are not read. Which dependencies are cloud SDKs is the catalogue's business
(`sdk_package` patterns), not the readers'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

ECOSYSTEMS = ("pypi", "npm", "go", "maven", "nuget", "gem", "cargo", "composer")


@dataclass(frozen=True, slots=True)
class Dependency:
    ecosystem: str  # one of ECOSYSTEMS
    name: str  # as the catalogue matches it: pypi names normalised (PEP 503), maven as group:artifact
    line: int  # 1-based; 0 when the manifest gives no position
    section: str  # where in the manifest: "dependencies", "devDependencies", "require", ...
    version: str = ""  # the constraint as written, when there is one

    @property
    def key(self) -> str:
        return f"{self.ecosystem}:{self.name}"


Reader = Callable[[str, str], list[Dependency]]


def readers() -> Mapping[str, Reader]:
    """Reader by manifest kind; paths.manifest_kind() names the kind of a file."""
    from portacheck.parse.application.manifests import dotnet, go, javascript, jvm, php, python, ruby, rust

    return {
        "requirements": python.requirements,
        "pyproject": python.pyproject,
        "pipfile": python.pipfile,
        "setup.cfg": python.setup_cfg,
        "package.json": javascript.package_json,
        "go.mod": go.go_mod,
        "pom.xml": jvm.pom,
        "gradle": jvm.gradle,
        "gradle-catalog": jvm.version_catalog,
        "msbuild": dotnet.project_file,
        "packages.config": dotnet.packages_config,
        "gemfile": ruby.gemfile,
        "gemspec": ruby.gemspec,
        "cargo": rust.cargo_toml,
        "composer": php.composer_json,
    }


def json_sections(text: str, manifest: str, sections: tuple[str, ...]) -> Iterator[tuple[str, str, Any]]:
    """(section, package name, spec) of the name -> version objects of a JSON manifest."""
    from portacheck.errors import InputError
    from portacheck.parse.application.formats import load_json

    data = load_json(text)
    if not isinstance(data, dict):
        raise InputError(f"{manifest}: expected a JSON object at the top", 1)
    for section in sections:
        entries = data.get(section)
        if isinstance(entries, dict):
            for name, spec in entries.items():
                yield section, name, spec


def unique(dependencies: list[Dependency]) -> list[Dependency]:
    """The first declaration of each package wins (a package in two sections is one dependency)."""
    seen: set[str] = set()
    result = []
    for dependency in dependencies:
        if dependency.key not in seen:
            seen.add(dependency.key)
            result.append(dependency)
    return result
