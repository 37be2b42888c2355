"""Ruby: Gemfile and *.gemspec.

    gem "aws-sdk-s3", "~> 1.140"
    spec.add_dependency "google-cloud-pubsub", "~> 2.15"

The files are Ruby; they are read line by line for `gem` and `add_*dependency` calls with a
literal name, never evaluated.
"""

from __future__ import annotations

import re

from portacheck.parse.application.manifests import Dependency, unique

_GEM = re.compile(r"""^\s*gem\s*\(?\s*["']([A-Za-z0-9_.\-]+)["'](?:\s*,\s*["']([^"']*)["'])?""")
_SPEC = re.compile(
    r"""^\s*\w+\.add_(?:(runtime|development)_)?dependency\s*\(?\s*["']([A-Za-z0-9_.\-]+)["'](?:\s*,\s*["']([^"']*)["'])?"""
)


def gemfile(text: str, _name: str) -> list[Dependency]:
    result = []
    for number, line in enumerate(text.splitlines(), 1):
        found = _GEM.match(line)
        if found:
            result.append(Dependency("gem", found.group(1), number, "gem", found.group(2) or ""))
    return unique(result)


def gemspec(text: str, _name: str) -> list[Dependency]:
    result = []
    for number, line in enumerate(text.splitlines(), 1):
        found = _SPEC.match(line)
        if found:
            section = "add_development_dependency" if found.group(1) == "development" else "add_dependency"
            result.append(Dependency("gem", found.group(2), number, section, found.group(3) or ""))
    return unique(result)
