"""PHP: composer.json.

    "require": {"aws/aws-sdk-php": "^3.300", "google/cloud-pubsub": "^2.0"}

Read: require and require-dev; platform entries (`php`, `ext-*`) are skipped.
"""

from __future__ import annotations

from portacheck.errors import InputError
from portacheck.parse.application.formats import line_of, load_json
from portacheck.parse.application.manifests import Dependency, unique

SECTIONS = ("require", "require-dev")


def composer_json(text: str, _name: str) -> list[Dependency]:
    data = load_json(text)
    if not isinstance(data, dict):
        raise InputError("composer.json: expected a JSON object at the top", 1)
    result = []
    for section in SECTIONS:
        entries = data.get(section)
        if not isinstance(entries, dict):
            continue
        for name, spec in entries.items():
            if "/" not in name:  # php, ext-json, lib-openssl: the platform, not a package
                continue
            version = spec if isinstance(spec, str) else ""
            result.append(Dependency("composer", name.strip().lower(), line_of(spec), section, version))
    return unique(result)
