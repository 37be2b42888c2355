"""The command line: options in, an exit code out. The pipeline lives in scan.py.

Exit codes (stable, documented in the README):
  0  no finding at or above --fail-on (and coverage at or above --min-coverage)
  1  the policy failed
  2  usage, configuration or rule error (or an internal error)
  3  some input could not be analysed; the rest was, and the policy passed
  4  both: the policy failed and some input could not be analysed
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from typing import Any

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
baseline_app = typer.Typer(help="Record accepted findings so that scans report only new ones.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(baseline_app, name="baseline")
config_app = typer.Typer(help="Write or check the configuration file.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(config_app, name="config")


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


def _outputs(formats: list[str], output: str | None) -> list[tuple[str, str | None]]:
    """Pair formats with destinations: FORMAT:PATH, else --output for the last bare format, else stdout."""
    from portacheck.report import reporters

    known = reporters()
    pairs: list[tuple[str, str | None]] = []
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


_FORMATS_HELP = "text, json, sarif, gitlab, junit or markdown"


def _build_config(
    paths: list[str],
    config_file: str | None,
    no_config: bool,
    *,
    fail_on: str | None = None,
    min_coverage: float | None = None,
    exclude: list[str] | None = None,
    disable: list[str] | None = None,
    rules: list[str] | None = None,
    baseline: str | None = None,
    no_ignores: bool = False,
    frontends: dict | None = None,
    no_cache: bool = False,
):
    """Defaults, then the configuration file (found from the scan root upward, or --config), then flags."""
    from portacheck.config import find_config, load_settings, parse_fail_on, resolve
    from portacheck.discover import scan_root

    fail_level = None
    if fail_on is not None:
        try:
            fail_level = parse_fail_on(fail_on)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--fail-on") from exc
    if config_file and no_config:
        raise typer.BadParameter("--config and --no-config contradict each other", param_hint="--config")
    settings = None
    if config_file:
        settings = load_settings(config_file)
    elif not no_config:
        found = find_config(scan_root(paths or ["."]))
        if found:
            settings = load_settings(found)
    flags: dict[str, Any] = {
        "min_coverage": None if min_coverage is None else min_coverage / 100,
        "exclude": exclude,
        "disable": [rule_id.upper() for rule_id in disable or ()],
        "rules_dirs": [os.path.abspath(p) for p in rules or ()],
        "baseline": os.path.abspath(baseline) if baseline else None,
        "ignores": False if no_ignores else None,
        "frontends": frontends,
    }
    if fail_on is not None:
        flags["fail_on"] = fail_level
    from dataclasses import replace

    config = replace(resolve(settings, **flags), cache_dir=None if no_cache else cache_dir())
    if fail_on is not None and fail_level is None:  # `never` from the command line beats the file
        config = replace(config, fail_on=None)
    return config


def cache_dir() -> str | None:
    """Where parsed files and the validated rule catalogue are cached (portacheck.cache):
    $PORTACHECK_CACHE_DIR (empty or `off`: no cache), else $XDG_CACHE_HOME/portacheck, else
    ~/.cache/portacheck."""
    chosen = os.environ.get("PORTACHECK_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip() in ("", "off", "0", "false") else chosen
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "portacheck")


def _frontend_flags(given: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Check the frontends' flags (generated by `_with_scan_options`) into their Options values."""
    from portacheck.parse.options import LIST_KINDS, OptionError, check_value

    result: dict[str, dict[str, Any]] = {}
    for parameter, (frontend, name, spec) in _frontend_parameters().items():
        value = given.get(parameter)
        if value is None or (spec.kind in LIST_KINDS and not value):
            continue
        try:
            result.setdefault(frontend, {})[name] = check_value(spec, value, os.getcwd())
        except OptionError as exc:
            raise typer.BadParameter(exc.message, param_hint=spec.flag) from None
    return result


def _frontend_parameters() -> dict[str, tuple[str, str, Any]]:
    """Python parameter name -> (frontend, option field, declaration) of every frontend flag."""
    from portacheck.parse.options import declared
    from portacheck.parse.registry import FRONTENDS

    return {
        spec.flag.lstrip("-").replace("-", "_"): (frontend.name, name, spec)
        for frontend in FRONTENDS
        for name, spec in declared(frontend.options)
        if spec.flag
    }


def _with_scan_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command that scans the options every scan takes, declared once: the shared ones
    below and every frontend's flags. The command receives them as `scan_options`, a dict."""
    from portacheck.parse.options import LIST_KINDS

    shared = [
        ("config_file", str | None, typer.Option(None, "--config", help="Configuration file to use instead of the .portacheck.yaml or pyproject.toml found from the scanned root upward.")),
        ("no_config", bool, typer.Option(False, "--no-config", help="Ignore configuration files; only flags and defaults apply.")),
        ("no_ignores", bool, typer.Option(False, "--no-ignores", help="Audit everything: ignore inline suppressions and the baseline.")),
        ("disable", list[str], typer.Option(None, "--disable", help="Drop the findings of this rule id (repeatable; adds to the configuration's).")),
        ("rules", list[str], typer.Option(None, "--rules", help="Extra rule directory; its rules add to or replace bundled ones (repeatable).")),
        ("exclude", list[str], typer.Option(None, "--exclude", help="Skip paths matching this glob or name (repeatable; adds to the configuration's).")),
    ]
    for parameter, (_frontend, _name, spec) in _frontend_parameters().items():
        kind: Any = list[str] if spec.kind in LIST_KINDS else float | None if spec.kind == "number" else str | None
        extra = {"min": spec.minimum} if spec.minimum is not None else {}
        shared.append((parameter, kind, typer.Option(None, spec.flag, help=spec.help, **extra)))
    shared += [
        ("no_cache", bool, typer.Option(False, "--no-cache", help="Neither read nor write the cache of parsed files and rules (see also PORTACHECK_CACHE_DIR).")),
        ("no_progress", bool, typer.Option(False, "--no-progress", help="Never show the progress line (it only appears on a terminal outside CI).")),
        ("debug", bool, typer.Option(False, "--debug", help="Show tracebacks of internal errors.")),
    ]
    names = [name for name, _kind, _default in shared]
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "scan_options"]
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind) for name, kind, default in shared]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        options = {name: kwargs.pop(name) for name in names}
        command(**kwargs, scan_options=options)

    # typer reads the options from __signature__, which typeshed does not declare on functions
    wrapper.__signature__ = signature.replace(parameters=own + added)  # type: ignore[attr-defined]
    return wrapper


def _scan_config(paths: list[str], options: dict[str, Any], **settings: Any):
    """The Config of a scanning command from its shared options (see `_with_scan_options`)."""
    return _build_config(
        paths,
        options["config_file"],
        options["no_config"],
        exclude=options["exclude"],
        disable=options["disable"],
        rules=options["rules"],
        no_ignores=options["no_ignores"],
        frontends=_frontend_flags(options),
        no_cache=options["no_cache"],
        **settings,
    )


def _progress(enabled: bool):
    """A progress line on standard error when it is a terminal and not in CI; None otherwise.

    CI services set CI (GitHub, GitLab, Azure Pipelines, CircleCI, Travis...); `CI=false` or
    `CI=0` does not count as CI."""
    stream = sys.stderr
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    if not enabled or in_ci or not (hasattr(stream, "isatty") and stream.isatty()) or os.environ.get("TERM") == "dumb":
        return None
    from portacheck.progress import Progress

    return Progress(stream)


@app.command()
@_with_scan_options
def scan(
    paths: list[str] = typer.Argument(None, help="Files or directories to scan (default: the current directory)."),
    format: list[str] = typer.Option(
        None,
        "--format",
        "-f",
        help=f"Report format: {_FORMATS_HELP}. Repeat for several; FORMAT:PATH writes that one to a file. Default: text.",
    ),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the last --format given without :PATH to this file instead of standard output."),
    fail_on: str | None = typer.Option(
        None, "--fail-on", help="Fail (exit 1) on findings at or above this level: P1, P2, P3, P4, U, or never. Default: the configuration's, else P3."
    ),
    min_coverage: float | None = typer.Option(
        None, "--min-coverage", min=0, max=100, help="Fail when less than this percentage of resources carry over with at most re-pointing (P0-P1)."
    ),
    baseline: str | None = typer.Option(None, "--baseline", help="Report only findings not recorded in this baseline file (see `portacheck baseline create`)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print no report to standard output; errors and the exit code still tell."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every finding, P0 included."),
    color: str = typer.Option("auto", "--color", help="Colour the text report: auto, always or never."),
    *,
    scan_options: dict[str, Any],
) -> None:
    """Scan infrastructure code and report how portable it is."""
    from portacheck.report import render
    from portacheck.scan import run

    if color not in ("auto", "always", "never"):
        raise typer.BadParameter("choose auto, always or never", param_hint="--color")
    outputs = _outputs(format or [], output)
    config = _scan_config(paths or ["."], scan_options, fail_on=fail_on, min_coverage=min_coverage, baseline=baseline)
    progress = _progress(not (scan_options["no_progress"] or quiet))
    try:
        assessment = run(paths or ["."], config, debug=scan_options["debug"], progress=progress)
    finally:
        if progress is not None:
            progress.close()
    options = {"verbose": verbose, "base": os.getcwd(), "min_coverage": config.min_coverage}
    wrote_text_to_stdout = False
    for name, path in outputs:
        if path is None:
            if quiet:
                continue
            render(name, assessment, sys.stdout, color=_use_color(color, sys.stdout), **options)
            wrote_text_to_stdout = name == "text"
        else:
            try:
                if os.path.dirname(path):
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as stream:
                    render(name, assessment, stream, color=False, **options)
            except OSError as exc:
                raise PortacheckError(f"{path}: cannot write report: {exc.strerror or exc}") from None
    if not wrote_text_to_stdout:
        for error in assessment.errors:
            typer.echo(f"portacheck: {error}", err=True)
        for note in assessment.notes:
            typer.echo(f"portacheck: note: {note}", err=True)
    if assessment.below_coverage:
        typer.echo(
            f"portacheck: coverage {assessment.coverage * 100:.1f}% is below --min-coverage {config.min_coverage * 100:g}%",
            err=True,
        )
    raise typer.Exit(exit_code(assessment.policy_failed(), assessment.has_errors))


@baseline_app.command("create")
@_with_scan_options
def baseline_create(
    paths: list[str] = typer.Argument(None, help="Files or directories to scan (default: the current directory)."),
    output: str | None = typer.Option(
        None, "--output", "-o", help="Baseline file to write. Default: the configuration's `baseline`, else .portacheck-baseline.json."
    ),
    *,
    scan_options: dict[str, Any],
) -> None:
    """Record the current findings (P1 and up) so that later scans with --baseline report only new ones."""
    from dataclasses import replace

    from portacheck import baseline as baselines
    from portacheck.config import DEFAULT_BASELINE, display_path
    from portacheck.scan import run

    config = _scan_config(paths or ["."], scan_options)
    target = output or config.baseline or DEFAULT_BASELINE
    config = replace(config, baseline=None)  # the old baseline must not hide findings from the new one
    progress = _progress(not scan_options["no_progress"])
    try:
        assessment = run(paths or ["."], config, debug=scan_options["debug"], progress=progress)
    finally:
        if progress is not None:
            progress.close()
    result = baselines.build(assessment.findings, assessment.root, target)
    baselines.write(result)
    for error in assessment.errors:
        typer.echo(f"portacheck: {error}", err=True)
    count = len(result.entries)
    typer.echo(f"portacheck: wrote {count} finding{'s' if count != 1 else ''} to {display_path(target)}", err=True)
    if assessment.has_errors:
        typer.echo("portacheck: some input could not be analysed; its findings are not in the baseline", err=True)
    raise typer.Exit(EXIT_INCOMPLETE if assessment.has_errors else EXIT_OK)


@config_app.command("init")
def config_init(
    output: str = typer.Option(".portacheck.yaml", "--output", "-o", help="File to write."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented starter configuration file."""
    from portacheck.config import STARTER

    if os.path.exists(output) and not force:
        raise PortacheckError(f"{output} already exists; use --force to overwrite it")
    try:
        with open(output, "w", encoding="utf-8") as stream:
            stream.write(STARTER)
    except OSError as exc:
        raise PortacheckError(f"{output}: cannot write: {exc.strerror or exc}") from None
    typer.echo(f"portacheck: wrote {output}", err=True)


@config_app.command("show")
def config_show(
    paths: list[str] = typer.Argument(None, help="The paths a scan would get (the file is found from their root upward)."),
    config_file: str | None = typer.Option(None, "--config", help="Configuration file to read instead."),
) -> None:
    """Validate the configuration a scan would use and print the settings it results in."""
    from portacheck.model import EFFORT_BANDS

    config = _build_config(paths or ["."], config_file, False)
    lines = [f"# configuration file: {config.source or '(none found; defaults)'}"]
    lines.append(f"fail-on: {config.fail_on.value if config.fail_on else 'never'}")
    lines.append(f"min-coverage: {'none' if config.min_coverage is None else f'{config.min_coverage * 100:g}'}")
    for key, values in (("exclude", config.exclude), ("disable", config.disable), ("rules", config.rules_dirs)):
        lines.append(f"{key}: [{', '.join(values)}]")
    lines.append("overrides: {" + ", ".join(f"{k}: {v.value}" for k, v in sorted(config.overrides.items())) + "}")
    changed = {k: v for k, v in config.effort_bands.items() if EFFORT_BANDS.get(k) != tuple(v)}
    lines.append("effort-bands: {" + ", ".join(f"{k}: [{lo:g}, {hi:g}]" for k, (lo, hi) in changed.items()) + "}")
    lines.append(f"baseline: {config.baseline or 'none'}")
    lines += _show_frontend_options(config)
    typer.echo("\n".join(lines))


def _show_frontend_options(config) -> list[str]:
    """Each frontend's options that differ from their defaults, as configuration sections."""
    from portacheck.parse.options import LIST_KINDS, declared
    from portacheck.parse.registry import FRONTENDS

    lines: list[str] = []
    for frontend in FRONTENDS:
        options, defaults = config.options(frontend.name), frontend.options()
        changed = [(name, spec) for name, spec in declared(frontend.options) if getattr(options, name) != getattr(defaults, name)]
        if changed:
            lines.append(f"{frontend.name}:")
        for name, spec in changed:
            value = getattr(options, name)
            if spec.kind in LIST_KINDS:
                lines.append(f"  {spec.key}: [{', '.join(value)}]")
            elif isinstance(value, dict) or hasattr(value, "items"):
                lines.append(f"  {spec.key}:")
                lines += [f"    {key}: {_show_value(item)}" for key, item in sorted(value.items())]
            else:
                lines.append(f"  {spec.key}: {value:g}" if isinstance(value, float) else f"  {spec.key}: {value}")
    return lines


def _show_value(value: Any) -> str:
    """A chart's values and set pairs (or any small dataclass) in flow style."""
    import dataclasses

    if dataclasses.is_dataclass(value):
        parts = []
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            parts.append(f"{field.name}: [{', '.join(item)}]" if isinstance(item, tuple) else f"{field.name}: {dict(item)}")
        return "{" + ", ".join(parts) + "}"
    return str(value)


@rules_app.command("list")
def rules_list(
    provider: str | None = typer.Option(None, "--provider", help="Only rules of this provider (e.g. aws, azurerm, google)."),
    rules: list[str] = typer.Option(None, "--rules", help="Extra rule directory (repeatable)."),
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
    rules: list[str] = typer.Option(None, "--rules", help="Extra rule directory (repeatable)."),
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
    catalog: list[str] = typer.Option(
        None, "--catalog", help="A <provider>.resources.txt, .data-sources.txt or .resource-types.txt list, or a directory of them (repeatable). Default: the lists shipped with portacheck (Terraform, CloudFormation, ARM)."
    ),
    rules: list[str] = typer.Option(None, "--rules", help="Extra rule directory (repeatable)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every unclassified name, not the first few."),
) -> None:
    """Check that every Terraform, CloudFormation and ARM type of a provider is classified by exactly one rule (exit 1 if not)."""
    from portacheck.rules import coverage
    from portacheck.rules.loader import load_catalogue

    paths = list(catalog or [])
    if not paths:
        paths = [str(directory) for directory in coverage.bundled_catalog_dirs()]
        if not paths:
            raise PortacheckError("no catalogue lists are bundled with this installation; pass --catalog")
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


def main(argv: list[str] | None = None) -> int:
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
    except Exception as exc:  # noqa: BLE001 - click's usage errors and any bug: one line, never a traceback
        return _unexpected(exc, debug)
    return result if isinstance(result, int) else EXIT_OK


def _unexpected(exc: Exception, debug: bool) -> int:
    # Usage errors come from the click that typer bundles (or a separate click): recognise them by shape.
    if type(exc).__name__ == "Abort" or isinstance(exc, typer.Abort):
        typer.echo("portacheck: aborted", err=True)
        return 130
    show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
    if callable(show) and isinstance(exit_code, int):
        show()
        return EXIT_USAGE if exit_code != 0 else EXIT_OK
    if debug:
        import traceback

        traceback.print_exc()
    typer.echo(f"portacheck: internal error: {type(exc).__name__}: {exc} (run with --debug for details; please report it)", err=True)
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
