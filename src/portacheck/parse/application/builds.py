"""Where container images are built from: Dockerfiles, skaffold.yaml artifacts, Compose build contexts.

Each becomes a Resource of kind "build" (nothing deployed) with `image` (when the file names
one) and `context`, the build directory relative to the scan root. The workload view uses them
to tie a workload to the SDKs of the code its image is built from.

    Dockerfile                  context = its directory, image unknown
    dependency manifest         context = its directory, image unknown (pom.xml, go.mod, package.json...)
    skaffold.yaml               build.artifacts[] (and profiles[].build.artifacts[]): image, context
                                jib artifacts: context + the jib `project` module, not the whole context
    docker-compose.yml          services.<name>.build (a path, or {context, dockerfile}); image or the service name

`link` says how a workload tied through the build was linked, for the workload view.
"""

from __future__ import annotations

import posixpath
from typing import Any

from portacheck._yaml import Document, YList, YMap
from portacheck.model import Location, Resource


def context_dir(file_rel: str, context: str = ".") -> str:
    """A build context relative to the scan root, "." for the root itself."""
    base = posixpath.dirname(file_rel)
    joined = posixpath.normpath(posixpath.join(base, context or "."))
    return "." if joined in ("", ".") else joined


def dockerfile(rel: str) -> Resource:
    directory = context_dir(rel)
    return _build(rel, 0, "Dockerfile", f"dockerfile:{rel.rsplit('/', 1)[-1]}", "", directory, rel)


def manifest(rel: str) -> Resource:
    """A dependency manifest: its directory is a module an image can be built from (jib, buildpacks)."""
    name = rel.rsplit("/", 1)[-1]
    return _build(rel, 0, "dependency manifest", f"manifest:{name}", "", context_dir(rel), "", link="")


def jib_module(project: str) -> str:
    """The module directory a jib `project` names: `:a:b` (Gradle) -> `a/b`, `group:artifact` (Maven) -> `artifact`.

    Maven modules are matched by artifactId, which by convention is the module's directory name.
    """
    if project.startswith(":"):
        return project.strip(":").replace(":", "/")
    return project.rsplit(":", 1)[-1]


def skaffold(rel: str, documents: list[Document]) -> list[Resource]:
    result = []
    for document in documents:
        root = document.root
        if not isinstance(root, YMap):
            continue
        sections: list[tuple[Any, str]] = [(root.get("build"), "")]
        profiles = root.get("profiles")
        for profile in profiles if isinstance(profiles, YList) else ():
            if isinstance(profile, YMap):
                sections.append((profile.get("build"), str(profile.get("name") or "")))
        for build, profile_name in sections:
            artifacts = build.get("artifacts") if isinstance(build, YMap) else None
            if not isinstance(artifacts, YList):
                continue
            for index, artifact in enumerate(artifacts):
                if not isinstance(artifact, YMap) or not isinstance(artifact.get("image"), str):
                    continue
                image = artifact["image"]
                context = artifact.get("context")
                if not isinstance(context, str):
                    context = "."
                docker = artifact.get("docker")
                name = docker.get("dockerfile") if isinstance(docker, YMap) else None
                directory = context_dir(rel, context)
                address = f"skaffold:{image}" + (f" (profile {profile_name})" if profile_name else "")
                dockerfile_path = posixpath.join(directory, name if isinstance(name, str) else "Dockerfile")
                line = artifacts.item_lines[index]
                link = "skaffold artifact"
                jib = artifact.get("jib")
                project = jib.get("project") if isinstance(jib, YMap) else None
                if isinstance(project, str) and project.strip(":"):
                    # a multi-module build: the image holds one module, not the whole context
                    directory = posixpath.normpath(posixpath.join(directory, jib_module(project)))
                    dockerfile_path, link = "", "jib project"
                elif "jib" in artifact:
                    dockerfile_path = ""
                result.append(_build(rel, line, "skaffold artifact", address, image, directory, dockerfile_path, link))
    return result


def compose(rel: str, documents: list[Document]) -> list[Resource]:
    result = []
    for document in documents:
        root = document.root
        services = root.get("services") if isinstance(root, YMap) else None
        if not isinstance(services, YMap):
            continue
        for name, service in services.items():
            if not isinstance(service, YMap) or "build" not in service:
                continue
            build = service["build"]
            context, dockerfile_name = ".", "Dockerfile"
            if isinstance(build, str):
                context = build
            elif isinstance(build, YMap):
                given, dockerfile = build.get("context"), build.get("dockerfile")
                context = given if isinstance(given, str) else "."
                if isinstance(dockerfile, str):
                    dockerfile_name = dockerfile
            else:
                continue
            if "://" in context or context.startswith("git@"):
                continue  # a remote context: nothing in this repository
            given_image = service.get("image")
            image = given_image if isinstance(given_image, str) else str(name)
            directory = context_dir(rel, context)
            line = services.key_lines.get(name, 0)
            dockerfile_path = posixpath.join(directory, dockerfile_name)
            result.append(_build(rel, line, "compose service", f"compose:{name}", image, directory, dockerfile_path, "compose build"))
    return result


def _build(
    rel: str, line: int, type_: str, address: str, image: str, context: str, dockerfile_path: str, link: str = "Dockerfile"
) -> Resource:
    return Resource(
        source="application",
        kind="build",
        provider="",
        type=type_,
        address=address,
        location=Location(rel, line),
        attributes={
            "image": image,
            "context": context,
            "dockerfile": posixpath.normpath(dockerfile_path) if dockerfile_path else "",
            "link": link,
        },
    )
