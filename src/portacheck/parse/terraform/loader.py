"""Read each Terraform module directory once: its files, tfvars, parse errors and suppressions.

Files are parsed in this process, one after the other: tree-sitter reads a large module tree
faster than a pool of worker processes starts (see docs/hcl-reader.md).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from portacheck import reader
from portacheck.errors import InputError
from portacheck.model import Directive, ScanError, Severity, SourceFile
from portacheck.parse import ParseContext, read_source, relpath
from portacheck.parse.terraform.directives import directives
from portacheck.parse.terraform.hcl import Attr, Block, HclFile, parse_text
from portacheck.parse.terraform.sources import TFVARS_SUFFIXES, is_terraform_file
from portacheck.trust import repository_root


@dataclass
class Module:
    directory: str
    relpath: str
    files: list[HclFile] = field(default_factory=list)
    auto_vars: list[tuple[str, dict[str, Attr]]] = field(default_factory=list)  # (relpath, values)

    def blocks(self, block_type: str) -> Iterable[Block]:
        for hcl in self.files:
            for block in hcl.blocks:
                if block.type == block_type:
                    yield block

    def blocks_with_file(self, block_type: str) -> Iterable[tuple[HclFile, Block]]:
        for hcl in self.files:
            for block in hcl.blocks:
                if block.type == block_type:
                    yield hcl, block

    @functools.cached_property
    def locals(self) -> dict[str, Attr]:
        """Every local value by name (a name defined twice: the last one), for lookups by reference."""
        return {name: attr for block in self.blocks("locals") for name, attr in block.attrs.items()}

    @functools.cached_property
    def named_blocks(self) -> dict[tuple[str, str, str], Block]:
        """Resources and data sources by (block type, type, name); the first of a name counts."""
        found: dict[tuple[str, str, str], Block] = {}
        for hcl in self.files:
            for block in hcl.blocks:
                if block.type in ("resource", "data") and len(block.labels) >= 2:
                    found.setdefault((block.type, block.labels[0], block.labels[1]), block)
        return found


def read_file(path: str, rel: str, max_bytes: int, root: str | None = None) -> tuple[HclFile, str]:
    """Read and parse one file (inside `root`); raises InputError when there is nothing to analyse in it."""
    name = os.path.basename(path)
    text = read_source(path, max_bytes, root)
    return parse_text(text, rel, is_json=name.endswith(".json"), is_tfvars=name.endswith(TFVARS_SUFFIXES)), text


class Loader:
    """Reads each module directory once, keeps its parse errors and inline suppressions once."""

    def __init__(self, context: ParseContext):
        self.context = context
        self.modules: dict[str, Module] = {}
        self.errors: list[ScanError] = []
        self.directives: list[Directive] = []
        self.repository = repository_root(context.root)  # local module sources may lead anywhere inside it

    def rel(self, path: str) -> str:
        return relpath(path, self.context.root)

    def load_dir(self, directory: str, sources: Sequence[SourceFile] | None = None) -> Module:
        """Parse a directory's files: the discovered ones, or all of them for module sources."""
        if directory in self.modules:
            return self.modules[directory]
        module = Module(directory, self.rel(directory))
        self.modules[directory] = module
        if sources is None and not reader.inside(directory, self.repository):
            self.errors.append(ScanError(self.rel(directory), "module directory leaves the repository (through a symlink); not followed"))
            return module
        if sources is None:
            try:
                names = sorted(os.listdir(directory))
            except OSError as exc:
                self.errors.append(ScanError(self.rel(directory), f"cannot list module directory: {exc.strerror}"))
                return module
            paths = [os.path.join(directory, n) for n in names if is_terraform_file(n)]
            paths = [p for p in paths if os.path.isfile(p) and not self.context.excluded(self.rel(p))]
        else:
            paths = sorted(s.path for s in sources)
        for path in paths:
            name = os.path.basename(path)
            rel = self.rel(path)
            try:
                hcl, text = read_file(path, rel, self.context.max_file_bytes, self.repository)
            except InputError as exc:
                self.errors.append(ScanError(rel, exc.message, exc.line, exc.column))
                continue
            if hcl.error is not None:
                self.errors.append(ScanError(rel, hcl.error.message, hcl.error.line, hcl.error.column))
            if not text.strip():
                self.errors.append(ScanError(rel, "empty file, nothing to analyse", severity=Severity.WARNING))
            if hcl.comments:
                self.directives.extend(directives(hcl))
            if name.endswith(TFVARS_SUFFIXES):
                if name in ("terraform.tfvars", "terraform.tfvars.json") or ".auto.tfvars" in name:
                    module.auto_vars.append((rel, dict(hcl.attrs)))
                continue
            module.files.append(hcl)
        # terraform.tfvars first, then *.auto.tfvars in lexical order, as Terraform does
        module.auto_vars.sort(key=lambda item: (not item[0].endswith(("terraform.tfvars", "terraform.tfvars.json")), item[0]))
        return module

    def var_file(self, path: str) -> dict[str, Attr]:
        try:
            # named by the command line or by configuration the trust model already checked
            text = read_source(path, self.context.max_file_bytes)
            hcl = parse_text(text, path, is_json=path.endswith(".json"), is_tfvars=True)
        except InputError as exc:
            self.errors.append(ScanError(path, exc.message, exc.line, exc.column))
            return {}
        if hcl.error is not None:
            self.errors.append(ScanError(path, hcl.error.message, hcl.error.line, hcl.error.column))
        return dict(hcl.attrs)
