"""Escaping for each kind of output: strings from the scanned repository (file names, resource
names, values, messages) are untrusted and must not steer the terminal or the CI log, nor break
the file format they go into.

- terminal text (text and Markdown reports, error lines on standard error): control characters,
  ESC and bytes that are not UTF-8 are written as `\\xNN`; a line never starts with `::`, which
  GitHub Actions would run as a workflow command (`terminal`, `terminal_block`);
- JSON (json, SARIF, GitLab, the baseline): file names that are not UTF-8 are carried as
  `\\udcNN` escapes, which decode to the same name `os.fsdecode` gave (`json_text`); SARIF URIs
  are percent-encoded from the file system bytes (`uri`);
- Markdown table cells (markdown, plan, delta, the catalogue reference): pipes, newlines and
  raw HTML are escaped (`markdown_cell`);
- XML (JUnit): what XML 1.0 cannot hold is written as `\\xNN` (`xml_text`);
- HTML: markup characters as entities, control characters and undecodable bytes as `\\xNN`, value
  by value as the report writes them (`html`, and `html_block` for code, which keeps tab and newline).

The text report escapes each value with `terminal` as it writes it, so that a newline in a
value cannot start a line of its own. Reports are rendered into a string and escaped whole (report.render), so nothing half-written
ever reaches a file.
"""

from __future__ import annotations

import html as _html
import os
import re
from urllib.parse import quote

_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_BLOCK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # keeps tab and newline
_BLOCK_COLOUR = re.compile("[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f\ud800-\udfff]")  # keeps ESC too
_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_WORKFLOW_COMMAND = re.compile(r"^([ \t]*):(?=:)", re.MULTILINE)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def no_workflow_commands(text: str) -> str:
    """No line starts with `::` (GitHub Actions' workflow commands): its first colon becomes `\\x3a`."""
    return _WORKFLOW_COMMAND.sub(r"\1\\x3a", text)


def terminal(value: object) -> str:
    """One value from the repository, for one line of terminal text."""
    return no_workflow_commands(_ONE_LINE.sub(_visible, str(value)))


def terminal_block(text: str, colour: bool = False) -> str:
    """A whole report, escaped as `terminal` but for tab and newline (and ESC when the report is
    coloured: its values were escaped one by one with `terminal`)."""
    return no_workflow_commands((_BLOCK_COLOUR if colour else _BLOCK).sub(_visible, text))


def json_text(text: str) -> str:
    """Serialised JSON with lone surrogates (undecodable file-name bytes) as `\\udcNN` escapes."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def xml_text(text: str) -> str:
    """Serialised XML with the characters XML 1.0 forbids written as visible escapes."""
    return no_workflow_commands(_XML.sub(_visible, text))


def markdown_cell(text: object) -> str:
    """Text safe inside a Markdown table cell: no pipes, newlines or raw HTML."""
    return (
        str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    )


def uri(path: str) -> str:
    """A relative path as a URI reference: percent-encoded from its file system bytes."""
    return quote(os.fsencode(path), safe="/")


def html(value: object) -> str:
    """One value from the repository, for HTML text or a quoted attribute value."""
    return _html.escape(_ONE_LINE.sub(_visible, str(value)), quote=True)


def html_block(text: str) -> str:
    """Lines of code from the repository, for a `<pre>`: as `html`, but tab and newline are kept."""
    return _html.escape(_BLOCK.sub(_visible, text), quote=True)
