"""The shared matcher of provider hostnames, ARNs and URIs in free text.

Every analyser hands strings it cannot interpret (Terraform locals, manifest env values,
ConfigMap data, application config) to this one matcher as `text` signals. Patterns come from
the rules' `endpoints:` lists; a hostname under a provider's domain (providers.yaml `domains:`)
that no rule claims is still reported, as an unknown service of that provider.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from portacheck.model import Rule
from portacheck.rules.loader import Catalogue
from portacheck.rules.patterns import PatternIndex

_ARN = re.compile(r"arn:(?:\$\{[^}\s]*\}|[a-z0-9-]+):[a-z0-9-]+:[^\s\"'<>`,)\]]*", re.I)
_URI = re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://[^\s\"'<>`]+", re.I)
_HOST = re.compile(r"(?<![A-Za-z0-9_.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})\.)+[A-Za-z]{2,63}(?![A-Za-z0-9_-])")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


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

    def scan(self, text: str) -> list[Hit]:
        if text not in self._scanned:
            self._scanned[text] = self._scan(text)
        return list(self._scanned[text])

    def _scan(self, text: str) -> list[Hit]:
        hits: list[Hit] = []
        for match in _ARN.finditer(text):
            hits.extend(self._lookup(self.arns, match.group(0), match.start(), provider_fallback=False))
        for match in _URI.finditer(text):
            hits.extend(self._lookup(self.uris, match.group(0), match.start(), provider_fallback=False))
        for regex in (_HOST, _IPV4):
            for match in regex.finditer(text):
                hits.extend(self._lookup(self.hosts, match.group(0), match.start(), provider_fallback=True))
        return hits

    def _lookup(self, index: PatternIndex, token: str, start: int, provider_fallback: bool) -> Iterable[Hit]:
        token = token.rstrip(".:/")
        found = index.lookup(token)
        if found:
            rules = sorted({rule.id: (pattern, rule) for pattern, rule in found}.values(), key=lambda pr: pr[1].id)
            pattern, rule = rules[0]
            return [Hit(token, start, rule, rule.provider, pattern)]
        if provider_fallback:
            lowered = token.lower()
            for domain, provider in self.domains:
                if lowered == domain or lowered.endswith("." + domain):
                    return [Hit(token, start, None, provider, "*." + domain)]
        return []
