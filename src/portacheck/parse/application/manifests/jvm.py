"""Java, Kotlin and Scala builds: pom.xml, build.gradle(.kts), Gradle version catalogs.

    <dependency><groupId>com.google.cloud</groupId><artifactId>google-cloud-pubsub</artifactId></dependency>
    implementation("software.amazon.awssdk:dynamodb:2.25.0")
    implementation group: 'com.amazonaws', name: 'aws-java-sdk-s3', version: '1.12.700'
    [libraries] pubsub = { module = "com.google.cloud:google-cloud-pubsub", version.ref = "gcp" }

Names are `group:artifact`. Maven: the project's and its profiles' <dependencies>; BOM imports in
<dependencyManagement> and build plugins only pin versions or build, and are skipped. Gradle: any
configuration (`implementation`, `api`, `testImplementation`, ...) given a `group:artifact[:version]`
string or group/name arguments; `platform(...)` BOMs and `classpath` build plugins are skipped,
`libs.*` accessors are read from the version catalog (gradle/libs.versions.toml) instead.
"""

from __future__ import annotations

import re

from portacheck.parse.application.formats import TextLines, XmlElement, load_toml, load_xml, walk_xml
from portacheck.parse.application.manifests import Dependency, unique

_SKIPPED_CONFIGURATIONS = frozenset({"classpath", "id", "platform", "enforcedPlatform", "kotlin", "plugin", "version"})
_GRADLE_STRING = re.compile(r"""^\s*(\w+)\s*(?:\(\s*)?["']([A-Za-z0-9_.\-]+):([A-Za-z0-9_.\-]+)(?::([^"'\s]*))?["']""")
_GRADLE_MAP = re.compile(
    r"""^\s*(\w+)\s*(?:\(\s*)?group\s*[:=]\s*["']([^"']+)["']\s*,\s*name\s*[:=]\s*["']([^"']+)["']"""
    r"""(?:\s*,\s*version\s*[:=]\s*["']([^"']*)["'])?"""
)


def pom(text: str, _name: str) -> list[Dependency]:
    root = load_xml(text)
    result: list[Dependency] = []

    def visit(element: XmlElement, path: tuple[str, ...]) -> None:
        if element.tag != "dependency" or len(path) < 2 or path[-1] != "dependencies" or path[-2] not in ("project", "profile"):
            return
        group, artifact = element.child_text("groupId"), element.child_text("artifactId")
        if not group or not artifact:
            return
        scope = element.child_text("scope")
        line = (element.child("artifactId") or element).line
        section = "dependencies" + (f" (scope {scope})" if scope and scope != "compile" else "")
        result.append(Dependency("maven", f"{group}:{artifact}", line, section, element.child_text("version")))

    if root.tag == "project":
        visit_root = XmlElement("", {}, 0, [root])
        walk_xml(visit_root, visit)
    return unique(result)


def gradle(text: str, _name: str) -> list[Dependency]:
    result = []
    for number, line in enumerate(text.splitlines(), 1):  # a commented-out line starts with //, which never matches
        found = _GRADLE_STRING.match(line) or _GRADLE_MAP.match(line)
        if found and found.group(1) not in _SKIPPED_CONFIGURATIONS:
            group, artifact, version = found.group(2), found.group(3), found.group(4) or ""
            result.append(Dependency("maven", f"{group}:{artifact}", number, found.group(1), version))
    return unique(result)


def version_catalog(text: str, _name: str) -> list[Dependency]:
    data = load_toml(text)
    lines = TextLines(text)
    result = []
    libraries = data.get("libraries")
    for alias, spec in (libraries.items() if isinstance(libraries, dict) else ()):
        module, version = "", ""
        if isinstance(spec, str):
            parts = spec.split(":")
            module, version = ":".join(parts[:2]), ":".join(parts[2:])
        elif isinstance(spec, dict):
            if isinstance(spec.get("module"), str):
                module = spec["module"]
            elif isinstance(spec.get("group"), str) and isinstance(spec.get("name"), str):
                module = f"{spec['group']}:{spec['name']}"
            given = spec.get("version")
            version = given if isinstance(given, str) else ""
        if module.count(":") == 1:
            result.append(Dependency("maven", module, lines.key_line(alias, "libraries"), f"libraries.{alias}", version))
    return unique(result)
