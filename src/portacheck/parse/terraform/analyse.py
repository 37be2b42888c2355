"""Reading Terraform and OpenTofu: modules in, resources out, with variables resolved where that is possible.

A directory of .tf files is a module. Directories that no other scanned module calls through a
local source, and those with a backend, `cloud` or provider block, are roots: they are
evaluated with their variable defaults, terraform.tfvars, *.auto.tfvars and --var-file values,
and their module calls are followed (local sources on disk inside the repository, even outside
the scanned directory; registry and git sources through .terraform/modules/modules.json).
Every resource, data source, unresolved module call, provider block and state backend becomes a
Resource; string values anywhere become `text` signals for the shared endpoint matcher. Files
are read with tree-sitter-hcl (`hcl`), expressions evaluated from its syntax nodes (`expr`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from portacheck.model import ParseResult, SourceFile
from portacheck.parse import ParseContext
from portacheck.parse.terraform import TerraformOptions
from portacheck.parse.terraform.evaluate import _Evaluator
from portacheck.parse.terraform.expr import literal_string
from portacheck.parse.terraform.hcl import parse_text
from portacheck.parse.terraform.loader import Loader, Module
from portacheck.parse.terraform.sources import (
    TERRAFORM_SUFFIXES,
    TFVARS_SUFFIXES,
    is_local,
    is_terraform_file,
    normalize_module_source,
)

if TYPE_CHECKING:
    from portacheck.cache import Cache

__all__ = [
    "TERRAFORM_SUFFIXES", "TFVARS_SUFFIXES", "evaluate_root", "is_terraform_file", "module_sources", "normalize_module_source", "parse",
]


def parse(files: Sequence[SourceFile], context: ParseContext, options: TerraformOptions | None = None) -> ParseResult:
    loader = Loader(context)
    by_dir: dict[str, list[SourceFile]] = {}
    for source in files:
        by_dir.setdefault(os.path.dirname(source.path), []).append(source)
    for directory, sources in sorted(by_dir.items()):
        loader.load_dir(directory, sources)

    called: set[str] = set()
    for directory in by_dir:
        for block in loader.modules[directory].blocks("module"):
            called_source = literal_string(block.attrs["source"].value) if "source" in block.attrs else None
            if called_source and is_local(called_source):
                target = os.path.normpath(os.path.join(directory, called_source))
                if target in by_dir and target != directory:
                    called.add(target)

    evaluator = _Evaluator(loader, context, options.var_files if options else (), include_undeployed=bool(options and options.include_undeployed))
    roots = [d for d in sorted(by_dir) if d not in called or configures_root(loader.modules[d])]
    for directory in roots:
        evaluator.run_root_safely(directory)
    for directory in sorted(by_dir):  # modules only reachable through a cycle of calls
        if directory not in evaluator.evaluated:
            evaluator.run_root_safely(directory)
    return ParseResult(tuple(evaluator.resources), tuple(loader.errors + evaluator.errors), tuple(loader.directives))


def configures_root(module: Module) -> bool:
    """Whether a module configures what only a root does: a state backend or `cloud` block, or a
    provider block (a module called elsewhere that has one is a root of its own, too)."""
    if any(True for _ in module.blocks("provider")):
        return True
    return any(nested.type in ("backend", "cloud") for block in module.blocks("terraform") for nested in block.blocks)


def evaluate_root(directory: str, context: ParseContext, inputs: dict[str, Any]) -> ParseResult:
    """One module directory evaluated as a root with values given from outside (Terragrunt's `inputs`)."""
    loader = Loader(context)
    evaluator = _Evaluator(loader, context, inputs=inputs)
    evaluator.run_root_safely(directory)
    return ParseResult(tuple(evaluator.resources), tuple(loader.errors + evaluator.errors), tuple(loader.directives))


def module_sources(path_or_bytes: str | bytes, is_json: bool | None = None, cache: Cache | None = None) -> list[str]:
    """The literal `source` values of a file's `module` blocks (native or JSON syntax); [] when
    the file cannot be read. Discovery uses it to find the callers of a module; with a cache,
    the answer for the same bytes is taken from there."""
    from portacheck.errors import InputError
    from portacheck.reader import read_bytes

    if isinstance(path_or_bytes, bytes):
        data = path_or_bytes
        json_syntax = bool(is_json)
    else:
        try:
            data = read_bytes(path_or_bytes)
        except InputError:
            return []
        json_syntax = path_or_bytes.endswith(".json") if is_json is None else is_json
    if cache is None:
        return _module_sources(data, json_syntax)
    key = cache.key("terraform-calls", [str(json_syntax), data])
    found = cache.get("terraform-calls", key)
    if not isinstance(found, list):
        found = _module_sources(data, json_syntax)
        cache.put("terraform-calls", key, found)
    return found


def _module_sources(data: bytes, json_syntax: bool) -> list[str]:
    from portacheck.errors import InputError

    try:
        hcl = parse_text(data.decode("utf-8", "replace"), "", is_json=json_syntax, first_look=True)
    except InputError:
        return []
    found = []
    for block in hcl.blocks:
        if block.type == "module" and "source" in block.attrs:
            source = literal_string(block.attrs["source"].value)
            if source is not None:
                found.append(source)
    return found
