"""PHP: composer.json.

    "require": {"aws/aws-sdk-php": "^3.300", "google/cloud-pubsub": "^2.0"}

Read: require and require-dev; platform entries (`php`, `ext-*`) are skipped.
"""

from __future__ import annotations

from portacheck.parse.application.formats import line_of
from portacheck.parse.application.manifests import Dependency, json_sections, unique

SECTIONS = ("require", "require-dev")


def composer_json(text: str, _name: str) -> list[Dependency]:
    result = []
    for section, name, spec in json_sections(text, "composer.json", SECTIONS):
        if "/" not in name:  # php, ext-json, lib-openssl: the platform, not a package
            continue
        version = spec if isinstance(spec, str) else ""
        result.append(Dependency("composer", name.strip().lower(), line_of(spec), section, version))
    return unique(result)
