"""JavaScript and TypeScript: package.json.

    "dependencies": {"@aws-sdk/client-dynamodb": "^3.600.0"}

Read: dependencies, devDependencies, optionalDependencies, peerDependencies; an npm alias
(`"s3": "npm:@aws-sdk/client-s3@^3"`) counts as the package it names. Lock files are not read.
"""

from __future__ import annotations

from portacheck.parse.application.formats import line_of
from portacheck.parse.application.manifests import Dependency, json_sections, unique

SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


def package_json(text: str, _name: str) -> list[Dependency]:
    result = []
    for section, name, spec in json_sections(text, "package.json", SECTIONS):
        version = spec if isinstance(spec, str) else ""
        if version.startswith("npm:"):  # an alias: the package it installs is what matters
            target = version[4:]
            at = target.find("@", 1)
            name, version = (target[:at], target[at + 1 :]) if at > 0 else (target, "")
        result.append(Dependency("npm", name.strip().lower(), line_of(spec), section, version))
    return unique(result)
