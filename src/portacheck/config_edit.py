"""YAML that portacheck writes for the user, edited with ruamel.yaml's round-trip mode.

A user's configuration is theirs: when portacheck writes or updates one (`portacheck config init`),
their comments, key order, quoting and blank lines stay as they were. Only this module imports
ruamel.yaml, and only when such a command runs; everything portacheck reads in bulk (manifests,
the catalogue, the configuration a scan uses) goes through the libyaml loaders of portacheck._yaml.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any


def set_keys(text: str, values: Mapping[str, Any]) -> str:
    """`text` with each top-level key of `values` set, comments and layout kept.

    A key that is there gets its new value in place. A key that is only there as a commented-out
    example (`# key: ...`, with its `#   ` indented lines) takes the example's place. Any other key
    is added at the end.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.util import load_yaml_guess_indent

    for key in values:
        if not re.search(rf"^{re.escape(key)}:", text, re.MULTILINE):
            example = re.compile(rf"^# {re.escape(key)}:.*\n(?:#   .*\n)*", re.MULTILINE)
            text = example.sub(f"{key}: null\n", text, count=1)  # keys are plain words: no backslash to escape
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a user's long lines
    _, sequence, offset = load_yaml_guess_indent(text)  # `- item` under its key, or indented by two
    yaml.indent(mapping=2, sequence=sequence or 2, offset=offset or 0)
    data = yaml.load(text)
    if data is None:
        data = CommentedMap()
    for key, value in values.items():
        data[key] = value
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()
