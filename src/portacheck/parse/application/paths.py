"""Which files the application analyser reads, and as what: decided by the path alone.

Vendored and generated trees (node_modules, vendor, virtual environments, dist, build, target)
hold other projects' manifests and copies of this one's; the application analyser ignores files
under them. Only its own files: a Terraform module or Kubernetes manifest in a directory named
`build` is still read by its analyser. One exception: a Dockerfile under `build/` is read, since
`build/package/Dockerfile` is a common layout for Go services (the Go project-layout convention).
"""

from __future__ import annotations

import re

VENDORED_DIRS = frozenset({
    "node_modules", "bower_components", "vendor", ".venv", "venv", "site-packages", "__pycache__", "dist", "build", "target",
})

MANIFESTS = {
    "pyproject.toml": "pyproject",
    "Pipfile": "pipfile",
    "setup.cfg": "setup.cfg",
    "package.json": "package.json",
    "go.mod": "go.mod",
    "pom.xml": "pom.xml",
    "build.gradle": "gradle",
    "build.gradle.kts": "gradle",
    "libs.versions.toml": "gradle-catalog",
    "packages.config": "packages.config",
    "Gemfile": "gemfile",
    "Cargo.toml": "cargo",
    "composer.json": "composer",
}
MANIFEST_SUFFIXES = {".csproj": "msbuild", ".fsproj": "msbuild", ".vbproj": "msbuild", ".gemspec": "gemspec"}

_REQUIREMENTS = re.compile(r"^requirements[\w.-]*\.(txt|in)$")
_DOCKERFILE = re.compile(r"^(?:(?:Dockerfile|Containerfile)(?:\.[\w.-]+)?|[\w.-]+\.[Dd]ockerfile)$")
_COMPOSE = re.compile(r"^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$")
_SKAFFOLD = re.compile(r"^skaffold(?:[.-][\w.-]+)?\.ya?ml$")
_SPRING = re.compile(r"^(?:application|bootstrap)(?:[-.][\w.-]+)?\.(ya?ml|properties)$")
_APPSETTINGS = re.compile(r"^appsettings(?:\.[\w.-]+)?\.json$")

# Roles: "manifest:<reader kind>", "python", "dockerfile", "skaffold", "compose",
# and the config formats "env", "properties", "yaml", "json".


def role(rel: str) -> str | None:
    """What the application analyser reads a file as, or None when it does not read it."""
    parts = rel.split("/")
    name, dirs = parts[-1], parts[:-1]
    vendored = [d for d in dirs if d in VENDORED_DIRS]
    if _DOCKERFILE.match(name):
        return None if any(d != "build" for d in vendored) else "dockerfile"
    if vendored:
        return None
    if name in MANIFESTS:
        return "manifest:" + MANIFESTS[name]
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix in MANIFEST_SUFFIXES:
        return "manifest:" + MANIFEST_SUFFIXES[suffix]
    if _REQUIREMENTS.match(name) or (dirs and dirs[-1] == "requirements" and name.endswith((".txt", ".in"))):
        return "manifest:requirements"
    if name.endswith(".py"):
        return "python"
    if _SKAFFOLD.match(name):
        return "skaffold"
    if _COMPOSE.match(name):
        return "compose"
    if name == ".env" or name.startswith(".env."):
        return "env"
    spring = _SPRING.match(name)
    if spring:
        return "properties" if spring.group(1) == "properties" else "yaml"
    if _APPSETTINGS.match(name):
        return "json"
    if dirs and dirs[-1] == "config" and name.endswith((".yaml", ".yml")):
        return "yaml"
    return None


def manifest_kind(file_role: str) -> str:
    return file_role.split(":", 1)[1] if file_role.startswith("manifest:") else ""
