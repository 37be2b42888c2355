"""The command line: options in, an exit code out. The pipeline lives in scan.py.

Exit codes (stable, documented in the README):
  0  no finding at or above --fail-on (and coverage at or above --min-coverage)
  1  the policy failed
  2  usage, configuration or rule error (or an internal error)
  3  some input could not be analysed; the rest was, and the policy passed
  4  both: the policy failed and some input could not be analysed
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

import typer

from portacheck import __version__
from portacheck.errors import PortacheckError

EXIT_OK = 0
EXIT_POLICY = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_POLICY_AND_INCOMPLETE = 4

app = typer.Typer(
    name="portacheck",
    help="What in your infrastructure-as-code carries over to another cloud, what has an open equivalent, what must be rebuilt.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
rules_app = typer.Typer(help="Browse the rule catalogue.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(rules_app, name="rules")


def exit_code(policy_failed: bool, incomplete: bool) -> int:
    if policy_failed and incomplete:
        return EXIT_POLICY_AND_INCOMPLETE
    if incomplete:
        return EXIT_INCOMPLETE
    if policy_failed:
        return EXIT_POLICY
    return EXIT_OK


def _version(value: bool) -> None:
    if value:
        typer.echo(f"portacheck {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """portacheck: a portability analyser for Terraform, Kubernetes and Helm."""


def _use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


def _outputs(formats: List[str], output: Optional[str]) -> list[tuple[str, Optional[str]]]:
    """Pair formats with destinations: FORMAT:PATH, else --output for the last bare format, else stdout."""
    from portacheck.report import reporters

    known = reporters()
    pairs: list[tuple[str, Optional[str]]] = []
    for item in formats or ["text"]:
        name, _, path = item.partition(":")
        name = name.strip().lower()
        if name not in known:
            raise typer.BadParameter(f"unknown format {name!r} (choose from {', '.join(known)})", param_hint="--format")
        pairs.append((name, path or None))
    if output:
        bare = [i for i, (_, path) in enumerate(pairs) if path is None]
        if not bare:
            raise typer.BadParameter("every --format already names its file; --output has nothing to apply to", param_hint="--output")
        index = bare[-1]
        pairs[index] = (pairs[index][0], output)
    to_stdout = [name for name, path in pairs if path is None]
    if len(to_stdout) > 1:
        raise typer.BadParameter(
            f"formats {', '.join(to_stdout)} would all go to standard output; give all but one a file (FORMAT:PATH or --output)",
            param_hint="--format",
        )
    return pairs


@app.command()
def scan(
    paths: List[str] = typer.Argument(None, help="Files or directories to scan (default: the current directory)."),
    format: List[str] = typer.Option(
        None, "--format", "-f", help="Report format: text or json. Repeat for several; FORMAT:PATH writes one to a file."
    ),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write the (last) report to this file instead of standard output."),
    fail_on: str = typer.Option("P3", "--fail-on", help="Fail (exit 1) on findings at or above this level: P1, P2, P3, P4, U, or never."),
    rules: List[str] = typer.Option(None, "--rules", help="Extra rule directory; its rules add to or replace bundled ones (repeatable)."),
    var_file: List[str] = typer.Option(None, "--var-file", help="Terraform variable file applied to every root module (repeatable)."),
    exclude: List[str] = typer.Option(None, "--exclude", help="Skip paths matching this glob or name (repeatable)."),
    min_coverage: Optional[float] = typer.Option(
        None, "--min-coverage", min=0, max=100, help="Fail when less than this percentage of resources carry over with at most re-pointing (P0-P1)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print no report to standard output; errors and the exit code still tell."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every finding, P0 included."),
    color: str = typer.Option("auto", "--color", help="Colour the text report: auto, always or never."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    """Scan infrastructure code and report how portable it is."""
    from portacheck.config import Config, parse_fail_on
    from portacheck.report import render
    from portacheck.scan import run

    try:
        fail_level = parse_fail_on(fail_on)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--fail-on")
    if color not in ("auto", "always", "never"):
        raise typer.BadParameter("choose auto, always or never", param_hint="--color")
    outputs = _outputs(format or [], output)
    for path in var_file or []:
        if not os.path.isfile(path):
            raise typer.BadParameter(f"{path}: no such file", param_hint="--var-file")
    config = Config(
        fail_on=fail_level,
        min_coverage=None if min_coverage is None else min_coverage / 100,
        exclude=tuple(exclude or ()),
        rules_dirs=tuple(rules or ()),
        var_files=tuple(var_file or ()),
    )
    assessment = run(paths or ["."], config, debug=debug)
    wrote_text_to_stdout = False
    for name, path in outputs:
        if path is None:
            if quiet:
                continue
            render(name, assessment, sys.stdout, color=_use_color(color, sys.stdout), verbose=verbose)
            wrote_text_to_stdout = name == "text"
        else:
            try:
                with open(path, "w", encoding="utf-8") as stream:
                    render(name, assessment, stream, color=False, verbose=verbose)
            except OSError as exc:
                raise PortacheckError(f"{path}: cannot write report: {exc.strerror or exc}") from None
    if not wrote_text_to_stdout:
        for error in assessment.errors:
            typer.echo(f"portacheck: {error}", err=True)
    below = config.min_coverage is not None and assessment.resources_total > 0 and assessment.coverage < config.min_coverage
    if below:
        typer.echo(
            f"portacheck: coverage {assessment.coverage * 100:.1f}% is below --min-coverage {config.min_coverage * 100:g}%",
            err=True,
        )
    raise typer.Exit(exit_code(assessment.policy_failed() or below, assessment.has_errors))


@rules_app.command("list")
def rules_list(
    provider: Optional[str] = typer.Option(None, "--provider", help="Only rules of this provider (e.g. aws, azurerm, google)."),
    rules: List[str] = typer.Option(None, "--rules", help="Extra rule directory (repeatable)."),
) -> None:
    """List the catalogue: one rule per line with level, category and service."""
    from portacheck.rules.loader import load_catalogue

    catalogue = load_catalogue(rules or ())
    for rule in catalogue.rules:
        if provider and rule.provider != provider:
            continue
        typer.echo(f"{rule.id:<34} {rule.level.value:<3} {rule.category:<15} {rule.provider:<12} {rule.service}")


@rules_app.command("show")
def rules_show(
    rule_id: str = typer.Argument(..., help="Rule id, e.g. AWS-DYNAMODB."),
    rules: List[str] = typer.Option(None, "--rules", help="Extra rule directory (repeatable)."),
) -> None:
    """Show one rule: service, level and why, alternatives with their evidence, effort, what it matches."""
    from portacheck.model import EFFORT_BANDS
    from portacheck.rules.loader import load_catalogue

    catalogue = load_catalogue(rules or ())
    rule = catalogue.rule(rule_id)
    provider = catalogue.providers[rule.provider]
    low, high = EFFORT_BANDS[rule.effort]
    lines = [
        f"{rule.id}: {rule.service}",
        f"  provider:   {provider.name} ({rule.provider})",
        f"  category:   {rule.category}",
        f"  level:      {rule.level.value} ({rule.level.title})",
        f"  why:        {rule.why}",
        f"  effort:     band {rule.effort}, {low:g}–{high:g} person-days per resource instance",
    ]
    if rule.effort_why:
        lines.append(f"              ({rule.effort_why})")
    if rule.standard:
        lines.append(f"  standard:   {rule.standard}")
    if rule.open_source:
        lines.append(f"  open source: {', '.join(rule.open_source)}")
    if rule.managed:
        lines.append("  managed equivalents:")
        lines.extend(f"    - {m.provider}: {m.offer} (evidence: {m.evidence})" for m in rule.managed)
    if rule.conditions:
        lines.append("  level depends on:")
        for c in rule.conditions:
            test = f"matches {', '.join(c.values)}" if c.values else ("is set" if c.present else "is not set")
            lines.append(f"    - {c.attribute} {test} -> {c.level.value}: {c.why}")
    lines.append("  matches:")
    for kind, patterns in rule.match.items():
        lines.append(f"    {kind}: {', '.join(patterns)}")
    if rule.notes:
        lines.append(f"  notes:      {rule.notes}")
    lines.append(f"  defined in: {rule.source_file}")
    if rule.extended_in:
        lines.append(f"  signals in: {', '.join(rule.extended_in)}")
    typer.echo("\n".join(lines))


@rules_app.command("coverage")
def rules_coverage(
    catalog: List[str] = typer.Option(
        None, "--catalog", help="A <provider>.resources.txt or .data-sources.txt list, or a directory of them (repeatable). Default: the lists shipped with portacheck."
    ),
    rules: List[str] = typer.Option(None, "--rules", help="Extra rule directory (repeatable)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every unclassified name, not the first few."),
) -> None:
    """Check that every Terraform type of a provider is classified by exactly one rule (exit 1 if not)."""
    from portacheck.rules import coverage
    from portacheck.rules.loader import load_catalogue

    paths = list(catalog or [])
    if not paths:
        bundled = coverage.bundled_catalog_dir()
        if bundled is None:
            raise PortacheckError("no catalogue lists are bundled with this installation; pass --catalog")
        paths = [str(bundled)]
    files = coverage.catalog_files(paths)
    for path in files:
        if not path.is_file():
            raise PortacheckError(f"{path}: no such catalogue list")
    try:
        results = coverage.measure(load_catalogue(rules or ()), files)
    except ValueError as exc:
        raise PortacheckError(str(exc)) from None
    typer.echo(coverage.render(results, verbose=verbose))
    raise typer.Exit(EXIT_OK if all(r.complete for r in results) else EXIT_POLICY)


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point: runs the app and turns every failure into one line and an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        result = app(args=argv, prog_name="portacheck", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except PortacheckError as exc:
        typer.echo(f"portacheck: error: {exc}", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        typer.echo("portacheck: interrupted", err=True)
        return 130
    except Exception as exc:  # click's usage errors and any bug: one line, never a traceback
        return _unexpected(exc, debug)
    return result if isinstance(result, int) else EXIT_OK


def _unexpected(exc: Exception, debug: bool) -> int:
    # Usage errors come from the click that typer bundles (or a separate click): recognise them by shape.
    if type(exc).__name__ == "Abort" or isinstance(exc, typer.Abort):
        typer.echo("portacheck: aborted", err=True)
        return 130
    if callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int):
        exc.show()
        return EXIT_USAGE if exc.exit_code != 0 else EXIT_OK
    if debug:
        import traceback

        traceback.print_exc()
    typer.echo(f"portacheck: internal error: {type(exc).__name__}: {exc} (run with --debug for details; please report it)", err=True)
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
