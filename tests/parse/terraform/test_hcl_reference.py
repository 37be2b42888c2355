"""The tree-sitter reader against python-hcl2, the reference reader: same blocks, labels,
attribute names and literal values wherever python-hcl2 reads the file.

Runs over every .tf and .tfvars file under fixtures/, and under the directories listed in
PORTACHECK_HCL_CORPUS (os.pathsep-separated), e.g. a clone of terraform-aws-eks:

    PORTACHECK_HCL_CORPUS=/path/to/terraform-aws-eks pytest tests/test_hcl_reference.py
    python tests/test_hcl_reference.py /path/to/terraform-aws-eks     (prints the agreement)
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SKIP = object()  # not a literal in python-hcl2's output: not compared


def hcl_files() -> list[Path]:
    roots = [ROOT / "fixtures"] + [Path(p) for p in os.environ.get("PORTACHECK_HCL_CORPUS", "").split(os.pathsep) if p]
    found = []
    for root in roots:
        for current, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in (".git", ".terraform"))
            found += [Path(current) / n for n in sorted(names) if n.endswith((".tf", ".tfvars"))]
    return found


# --- python-hcl2's dict output, normalised ---------------------------------------------------


def reference(text: str) -> tuple:
    import hcl2

    return ("", (), *_ref_body(hcl2.loads(text)))


def _ref_body(body: dict) -> tuple[dict, list]:
    """({attribute: literal or SKIP}, [(type, labels, attributes, blocks)]) from python-hcl2's dict."""
    attrs = {}
    blocks = []
    for key, value in body.items():
        if key.startswith("__"):  # __is_block__, __comments__
            continue
        found = _ref_blocks(value)
        if found is None:
            attrs[key] = _ref_literal(value)
            continue
        for labels, block_body in found:
            blocks.append((key, labels, *_ref_body(block_body)))
    return attrs, sorted(blocks, key=_order)


def _order(block: tuple) -> tuple:
    return block[0], block[1]


def _ref_blocks(value: Any) -> list | None:
    if not isinstance(value, list) or not value:
        return None
    found: list = []
    for item in value:
        paths = _label_paths(item, ())
        if paths is None:
            return None
        found += paths
    return found


def _label_paths(item: Any, labels: tuple) -> list | None:
    if not isinstance(item, dict):
        return None
    if item.get("__is_block__"):
        return [(labels, item)]
    if not item:
        return None
    found: list = []
    for key, value in item.items():
        paths = _label_paths(value, labels + (_unquote_label(key),))
        if paths is None:
            return None
        found += paths
    return found


def _unquote_label(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


_HEREDOC = re.compile(r'^"<<(-?)([A-Za-z_][A-Za-z0-9_.-]*)\r?\n(.*?)\r?\n?[ \t]*\2"$', re.DOTALL)


def _ref_literal(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        if not (len(value) >= 2 and value[0] == value[-1] == '"') or "${" in value or "%{" in value:
            return SKIP
        heredoc = _HEREDOC.match(value)
        if heredoc:
            body = heredoc.group(3)
            if heredoc.group(1):
                lines = body.split("\n")
                cut = min((len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()), default=0)
                body = "\n".join(x[cut:] for x in lines)
            return body
        return _unescape(value[1:-1])
    if isinstance(value, list):
        items = [_ref_literal(v) for v in value]
        return SKIP if any(i is SKIP for i in items) else items
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key == "__is_block__" or not re.fullmatch(r'"[^"$%\\]*"|[A-Za-z_][\w-]*', str(key)):
                return SKIP
            result[_unquote_label(str(key))] = _ref_literal(item)
        return SKIP if any(i is SKIP for i in result.values()) else result
    return SKIP


def _unescape(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text)


# --- the tree-sitter reader, the same shape --------------------------------------------------


def ours(text: str) -> tuple:
    from portacheck.parse.terraform.hcl import Block, parse_text

    hcl = parse_text(text, "x.tf", is_json=False)
    return _our_block(Block("", (), 0, 0, hcl.attrs, hcl.blocks))


def _our_block(block) -> tuple:
    attrs = {n: _our_literal(a.value) for n, a in block.attrs.items()}
    return (block.type, block.labels, attrs, sorted((_our_block(b) for b in block.blocks), key=_order))


def _our_literal(node) -> Any:
    from portacheck.parse.terraform.expr import contains_unresolved, evaluate

    value = evaluate(node, lambda name, path: __import__("portacheck.model").model.Unresolved(name))
    return SKIP if contains_unresolved(value) else value


# --- comparison ------------------------------------------------------------------------------


def differences(theirs: tuple, mine: tuple, where: str = "") -> list[str]:
    """What differs between two normalised blocks; literal values only where theirs has one."""
    kind, labels, t_attrs, t_blocks = theirs
    _kind, _labels, m_attrs, m_blocks = mine
    here = f"{where}/{kind}{''.join('.' + x for x in labels)}" if kind else where
    if sorted(t_attrs) != sorted(m_attrs):
        return [f"{here}: attributes {sorted(t_attrs)} != {sorted(m_attrs)}"]
    found = [f"{here}.{n}: {v!r} != {m_attrs[n]!r}" for n, v in t_attrs.items() if v is not SKIP and m_attrs[n] != v]
    if [_order(b) for b in t_blocks] != [_order(b) for b in m_blocks]:
        return found + [f"{here}: blocks {[_order(b) for b in t_blocks]} != {[_order(b) for b in m_blocks]}"]
    for t_block, m_block in zip(t_blocks, m_blocks, strict=True):
        found += differences(t_block, m_block, here)
    return found


def literal_count(block: tuple) -> tuple[int, int]:
    """(attributes, literal attributes) in a normalised block and the blocks inside it."""
    total = len(block[2])
    literal = sum(1 for v in block[2].values() if v is not SKIP)
    for nested in block[3]:
        sub = literal_count(nested)
        total, literal = total + sub[0], literal + sub[1]
    return total, literal


FILES = hcl_files()


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) if ROOT in p.parents else str(p) for p in FILES])
def test_same_blocks_and_literals_as_python_hcl2(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        theirs = reference(text)
    except Exception:  # noqa: BLE001 - the reference cannot read it: nothing to compare
        pytest.skip("python-hcl2 cannot read this file")
    assert differences(theirs, ours(text)) == []


def main(argv: list[str]) -> None:
    """Print the agreement figures for the .tf and .tfvars files under the given directories."""
    os.environ["PORTACHECK_HCL_CORPUS"] = os.pathsep.join(argv)
    files = [p for p in hcl_files() if any(str(p).startswith(os.path.abspath(a)) for a in argv)]
    read = agree = attributes = literals = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            theirs = reference(text)
        except Exception as exc:  # noqa: BLE001
            print(f"python-hcl2 fails: {path}: {type(exc).__name__}")
            continue
        read += 1
        found = differences(theirs, ours(text))
        agree += not found
        counts = literal_count(theirs)
        attributes, literals = attributes + counts[0], literals + counts[1]
        for line in found:
            print(f"differs: {path}: {line}")
    print(f"{len(files)} files; python-hcl2 reads {read}; identical blocks, attributes and literals in {agree}/{read}")
    print(f"{attributes} attributes compared by name, {literals} of them literal values compared")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main(sys.argv[1:])
