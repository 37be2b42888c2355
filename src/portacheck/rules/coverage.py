"""How much of a provider's type catalogue the rules classify: every name, exactly one rule.

Catalogue files hold one type name per line: `terraform/<provider>.resources.txt` and
`.data-sources.txt` (every type and data source each Terraform provider registers), and
`cloudformation/aws.resource-types.txt` and `arm/azure.resource-types.txt` (every CloudFormation
and ARM/Bicep resource type; a `.resource-types.txt` list is matched as the signal kind its
directory names). A name is classified when exactly one rule claims it at the top of the
ranking; two rules tied there are an overlap; a rule of another provider claiming it is a
misfiled name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from portacheck.rules.loader import Catalogue
from portacheck.rules.match import Matcher

# Lists whose names belong to rules of another provider key (types of google-beta are google_*,
# ARM types are the azurerm rules').
_PROVIDER_FAMILY = {"google-beta": "google", "azure": "azurerm"}
# List file endings: (what the list holds, the signal kind its names are matched as; None: the
# kind is the name of the list's directory, e.g. cloudformation/ or arm/).
_LISTS = {
    ".resources.txt": ("resources", "terraform"),
    ".data-sources.txt": ("data-sources", "terraform_data"),
    ".resource-types.txt": ("types", None),
}
# The bundled lists, by directory (a snapshot of the shared catalogue).
CATALOG_DIRS = ("terraform", "cloudformation", "arm")
# Provider keys of the catalogue files that hold the Terraform built-ins and utility providers.
_NEUTRAL_LISTS = {"kubernetes", "helm"}


@dataclass
class ListCoverage:
    provider: str
    kind: str  # "resources" or "data-sources"
    path: str
    total: int = 0
    classified: int = 0
    unclassified: list[str] = field(default_factory=list)
    overlaps: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    misfiled: list[tuple[str, str]] = field(default_factory=list)  # (name, rule id of another provider)

    @property
    def complete(self) -> bool:
        return not (self.unclassified or self.overlaps or self.misfiled)

    @property
    def share(self) -> float:
        return self.classified / self.total if self.total else 1.0


def bundled_catalog_dirs() -> list[Path]:
    """The type lists shipped with portacheck (a snapshot of the shared ones), or a checkout's catalog/."""
    here = Path(__file__).resolve().parent.parent
    for base in (here / "_catalog", here.parent.parent / "catalog"):
        if base.is_dir():
            return [base / name for name in CATALOG_DIRS if (base / name).is_dir()]
    return []


def catalog_files(paths: Sequence[str]) -> list[Path]:
    """Expand directories to the type lists in them."""
    result: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            result.extend(sorted(p for p in path.iterdir() if p.name.endswith(tuple(_LISTS))))
        else:
            result.append(path)
    return result


def measure(catalogue: Catalogue, files: Iterable[Path]) -> list[ListCoverage]:
    matcher = Matcher(catalogue)
    results = []
    for path in files:
        name = path.name
        ending = next((e for e in _LISTS if name.endswith(e)), None)
        if ending is None:
            raise ValueError(f"{path}: expected <provider>.resources.txt, .data-sources.txt or .resource-types.txt")
        provider, (kind, listed_signal) = name[: -len(ending)], _LISTS[ending]
        signal = listed_signal or path.resolve().parent.name
        coverage = ListCoverage(provider, kind, str(path))
        family = _PROVIDER_FAMILY.get(provider, provider)
        for line in path.read_text(encoding="utf-8").splitlines():
            type_name = line.strip()
            if not type_name or type_name.startswith("#"):
                continue
            coverage.total += 1
            rules = matcher.rules_for(signal, type_name)
            if not rules:
                coverage.unclassified.append(type_name)
            elif len(rules) > 1:
                coverage.overlaps.append((type_name, tuple(r.id for r in rules)))
            elif rules[0].provider != family and not (provider in _NEUTRAL_LISTS and rules[0].provider in _NEUTRAL_LISTS):
                coverage.misfiled.append((type_name, rules[0].id))
            else:
                coverage.classified += 1
        results.append(coverage)
    return results


def render(results: Sequence[ListCoverage], verbose: bool = False, limit: int = 15) -> str:
    lines = []
    width = max((len(r.provider) for r in results), default=8)
    for r in results:
        status = "ok" if r.complete else "INCOMPLETE"
        lines.append(f"{r.provider:<{width}}  {r.kind:<12}  {r.classified:>5}/{r.total:<5}  {r.share * 100:6.2f}%  {status}")
        for label, items in (
            ("not classified", r.unclassified),
            ("matched by more than one rule", [f"{n} ({', '.join(ids)})" for n, ids in r.overlaps]),
            ("claimed by a rule of another provider", [f"{n} ({rid})" for n, rid in r.misfiled]),
        ):
            if items:
                shown = items if verbose else items[:limit]
                lines.append(f"    {label} ({len(items)}): " + ", ".join(shown) + (" …" if len(shown) < len(items) else ""))
    total = sum(r.total for r in results)
    classified = sum(r.classified for r in results)
    lines.append(f"total: {classified}/{total} names classified" + ("" if all(r.complete for r in results) else " — incomplete"))
    return "\n".join(lines)
