"""The shared matcher of provider hostnames, ARNs and URIs in free text.

Every analyser hands strings it cannot interpret (Terraform locals, manifest env values,
ConfigMap data, application config) to this one matcher as `text` signals. Patterns come from
the rules' `endpoints:` lists; a hostname under a provider's domain (providers.yaml `domains:`)
that no rule claims is still reported, as an unknown service of that provider. An Azure resource
ID (`/subscriptions/…/providers/Microsoft.Network/virtualNetworks/…`) names its ARM type, which
the rules' `arm:` lists map to a service.

A part written as an interpolation (`${…}`, `$(…)`, `%{…}`, `{0}` of ARM's format()) is unknown
text: it stands as one placeholder that only a pattern's `*` matches, so the literal parts still
match (`sb-${local.name}.servicebus.windows.net`) and no service is read into an unknown part
(`${x}.amazonaws.com` names none). The token reported is the text as written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from portacheck.model import Rule
from portacheck.rules.loader import Catalogue
from portacheck.rules.patterns import PatternIndex

HOLE = "\ue000"  # an interpolated part, unknown: no pattern holds it, only `*` matches it
_HOLE_START = re.compile(r"[$%]\{|\$\(|\{\d+\}")
_CLOSE = {"{": "}", "(": ")"}
_ARN = re.compile(r"arn:[a-z0-9\ue000-]+:[a-z0-9-]+:[^\s\"'<>`,)\]]*", re.I)
_URI = re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://[^\s\"'<>`]+", re.I)
_HOST = re.compile(r"(?<![A-Za-z0-9_.\ue000-])(?:[A-Za-z0-9\ue000](?:[A-Za-z0-9\ue000-]{0,62})\.)+[A-Za-z]{2,63}(?![A-Za-z0-9_-])")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
# An Azure resource ID's provider namespace and type segments, each (but the last) followed by a name.
_ARM_ID = re.compile(r"/providers/([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)+)((?:/[A-Za-z][A-Za-z0-9]*/[^/\s\"'<>`,)\]]+)*(?:/[A-Za-z][A-Za-z0-9]*)?)")


def mask(text: str) -> tuple[str, list[int], list[tuple[int, int]]]:
    """The text with each interpolation one HOLE; where each character of it starts in the text (one
    entry more, for the end); and (start, end) of what each interpolation holds, which may be code
    with literals of its own (`$(curl http://metadata.google.internal/…)`). Unbalanced openings
    stay as written."""
    if "{" not in text and "(" not in text:
        return text, [], []
    out: list[str] = []
    starts: list[int] = []
    inside: list[tuple[int, int]] = []
    at = 0
    for match in _HOLE_START.finditer(text):
        if match.start() < at:
            continue
        numbered = match.group(0)[0] == "{"  # format()'s {0}
        end = match.end() if numbered else _closing(text, match.end() - 1)
        if end < 0:
            continue
        out.append(text[at : match.start()])
        starts.extend(range(at, match.start()))
        out.append(HOLE)
        starts.append(match.start())
        if not numbered:
            inside.append((match.end(), end - 1))
        at = end
    if not out:
        return text, [], []
    out.append(text[at:])
    starts.extend(range(at, len(text) + 1))
    return "".join(out), starts, inside


def _closing(text: str, opening: int) -> int:
    """The index after the bracket that closes the one at `opening`, quotes inside skipped; -1 if none."""
    close, open_ = _CLOSE[text[opening]], text[opening]
    depth, quote, index = 0, "", opening
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char == '"':
            quote = char
        elif char == open_:
            depth += 1
        elif char == close:
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return -1


@dataclass(frozen=True, slots=True)
class Hit:
    """A token in the text that points at a provider: its rule, or only its provider."""

    token: str
    start: int
    rule: Rule | None
    provider: str  # the rule's provider, or the provider whose domain the host is under
    pattern: str


class EndpointMatcher:
    def __init__(self, catalogue: Catalogue):
        hosts, arns, uris = [], [], []
        self.catalogue = catalogue
        for rule in catalogue.rules:
            for pattern in rule.match.get("endpoints", ()):
                if pattern.startswith("arn:"):
                    arns.append((pattern, rule))
                elif "://" in pattern:
                    uris.append((pattern, rule))
                else:
                    hosts.append((pattern, rule))
        self.hosts = PatternIndex(hosts, priority=lambda rule: rule.priority)
        self.arns = PatternIndex(arns, priority=lambda rule: rule.priority)
        self.uris = PatternIndex(uris, priority=lambda rule: rule.priority)
        domains = [(d, p.key) for p in catalogue.providers.values() for d in p.domains]
        self.domains = sorted(domains, key=lambda item: -len(item[0]))
        self._scanned: dict[str, list[Hit]] = {}  # every instance of a module hands in the same strings

    @functools.cached_property
    def arm_types(self) -> PatternIndex[Rule]:
        """ARM resource types in URIs: built on the first ARM-looking URI, which most scans never see."""
        return PatternIndex(((p, rule) for rule in self.catalogue.rules for p in rule.match.get("arm", ())), priority=lambda rule: rule.priority)

    def scan(self, text: str) -> list[Hit]:
        if text not in self._scanned:
            self._scanned[text] = self._scan(text)
        return list(self._scanned[text])

    def _scan(self, text: str) -> list[Hit]:
        masked, starts, inside = mask(text)
        hits: list[Hit] = []
        for regex, index, fallback in ((_ARN, self.arns, False), (_URI, self.uris, False), (_HOST, self.hosts, True), (_IPV4, self.hosts, True)):
            for match in regex.finditer(masked):
                token = match.group(0).rstrip(".:/")
                hits.extend(self._lookup(index, token, match.start(), fallback))
        for match in _ARM_ID.finditer(masked):
            namespace, path = match.groups()
            type_ = "/".join([namespace, *path.split("/")[1::2]]).lower()
            found = self.arm_types.lookup(type_) if path else []
            if found:
                pattern, rule = min(found, key=lambda pr: pr[1].id)
                hits.append(Hit(match.group(0), match.start(), rule, rule.provider, pattern))
        if starts:  # tokens and offsets as written
            hits = [replace(h, token=text[starts[h.start] : starts[h.start + len(h.token)]], start=starts[h.start]) for h in hits]
        for start, end in inside:
            hits += [replace(h, start=h.start + start) for h in self._scan(text[start:end])]
        return hits

    def _lookup(self, index: PatternIndex, token: str, start: int, provider_fallback: bool) -> Iterable[Hit]:
        found = index.lookup(token)
        if found:
            rules = sorted({rule.id: (pattern, rule) for pattern, rule in found}.values(), key=lambda pr: pr[1].id)
            pattern, rule = rules[0]
            return [Hit(token, start, rule, rule.provider, pattern)]
        if provider_fallback:
            lowered = token.lower()
            for domain, provider in self.domains:
                if lowered == domain or lowered.endswith("." + domain):
                    labels = lowered[: -len(domain)].split(".")[:-1]
                    if labels and all(HOLE in label for label in labels):
                        return []  # `${x}.amazonaws.com`: which service is not written
                    return [Hit(token, start, None, provider, "*." + domain)]
        return []
