"""The command line: options in, an exit code out. The pipeline lives in scan.py.

Exit codes (stable, documented in the README):
  0  no finding at or above --fail-on (and coverage at or above --min-coverage)
  1  the policy failed
  2  usage, configuration or rule error
  3  some input could not be analysed; the rest was, and the policy passed
  4  both: the policy failed and some input could not be analysed
  5  internal error (a bug in portacheck): one line, `--debug` or PORTACHECK_DEBUG=1 shows the traceback
"""

from __future__ import annotations

import contextlib
import functools
import gc
import inspect
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import typer

from portacheck import __version__
from portacheck.errors import InputError, PortacheckError

EXIT_OK = 0
EXIT_POLICY = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_POLICY_AND_INCOMPLETE = 4
EXIT_INTERNAL = 5

def _plain_typer() -> None:
    """Spare typer's pydantic where it has nothing to do.

    typer 0.2x coerces every parameter through a pydantic TypeAdapter, and importing pydantic is
    most of a short run's start-up (about 85 ms); it also shows an argument's Python type
    (`PATH <list[str]>`) beside its metavar. portacheck declares only str, bool and list[str]
    parameters and checks their values itself (one error style), so those get a pass-through
    instead, and an argument with a metavar shows just that. typer versions without these
    internals are left as they are.
    """
    import dataclasses

    try:
        from typer import core
        from typer._coercion import RuntimeParam
    except ImportError:  # pragma: no cover - another typer
        return
    parameter, argument = getattr(core, "_TyperParameter", None), getattr(core, "TyperArgument", None)
    if parameter is None or argument is None or not hasattr(parameter, "get_runtime_param") or getattr(parameter, "_portacheck", False):
        return

    @dataclasses.dataclass(frozen=True)
    class PassThrough(RuntimeParam):
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            return list(value) if isinstance(value, (list, tuple)) else value

    plain = (str, bool, list[str])
    get_runtime_param, display_type_rich = parameter.get_runtime_param, argument.display_type_rich

    def runtime_param(self: Any) -> Any:
        descriptor = self.type_descriptor
        if self._runtime_param is None and descriptor.annotation in plain and not descriptor.is_file:
            self._runtime_param = PassThrough(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
        return get_runtime_param(self)

    def argument_type(self: Any, ctx: Any) -> str | None:
        return None if self.metavar else display_type_rich(self, ctx)

    parameter.get_runtime_param = runtime_param
    argument.display_type_rich = argument_type
    parameter._portacheck = True


_plain_typer()

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
    """--color always/never, else FORCE_COLOR or CLICOLOR_FORCE (set, not 0), else NO_COLOR, else a terminal."""
    if choice in ("always", "never"):
        return choice == "always"
    if any(os.environ.get(name, "").strip() not in ("", "0", "false") for name in ("FORCE_COLOR", "CLICOLOR_FORCE")):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


def _percentage(text: str | None, flag: str) -> float | None:
    """A percentage from 0 to 100 given on the command line."""
    if text is None:
        return None
    try:
        value = float(text.strip().removesuffix("%"))  # `60` or `60%`, as in the configuration file
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 100:  # also refuses nan
        raise typer.BadParameter(f"expected a percentage from 0 to 100, not {text!r}", param_hint=flag)
    return value


def _choice(value: str, choices: tuple[str, ...], flag: str) -> str:
    chosen = value.strip().lower()
    if chosen not in choices:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(choices)}", param_hint=flag)
    return chosen


def _outputs(formats: list[str], output: str | None, known: tuple[str, ...] | None = None) -> list[tuple[str, str | None]]:
    """Pair formats with destinations: FORMAT:PATH, else --output for the last bare format, else stdout.

    `known`: the format names accepted (default: the reporters')."""
    from portacheck.report import FORMATS

    if known is None:
        known = FORMATS
    pairs: list[tuple[str, str | None]] = []
    for item in formats:
        name, _, path = item.partition(":")
        name = name.strip().lower()
        if name not in known:
            raise typer.BadParameter(f"{name!r} is not one of {', '.join(known)}", param_hint="--format")
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


_FORMATS_HELP = "text, json, sarif, gitlab, junit, markdown, compact, csf, csf-json, plan, dora, exit-plan or html"
_DELTA_FORMATS = ("delta-text", "delta-json", "delta-markdown")


def _delta_policy(fail_on_new: str | None, max_effort_increase: str | None):
    """The delta policy of --fail-on-new and --max-effort-increase (portacheck.delta)."""
    from portacheck.config import parse_fail_on
    from portacheck.delta import Policy, parse_days

    policy = Policy()
    if fail_on_new is not None:
        try:
            policy.fail_on_new = parse_fail_on(fail_on_new)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--fail-on-new") from exc
    if max_effort_increase is not None:
        try:
            policy.max_effort_increase = parse_days(max_effort_increase)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--max-effort-increase") from exc
    return policy


def _build_config(
    paths: list[str],
    config_file: str | None,
    no_config: bool,
    *,
    trusted_config: bool = False,
    repo_policy: str = "apply",
    fail_on: str | None = None,
    min_coverage: float | None = None,
    exclude: list[str] | None = None,
    disable: list[str] | None = None,
    rules: list[str] | None = None,
    baseline: str | None = None,
    targets: list[str] | None = None,
    sovereignty: str | None = None,
    no_ignores: bool = False,
    no_gitignore: bool = False,
    frontends: dict | None = None,
    no_cache: bool = False,
):
    """Defaults, then the configuration file (found from the scan root upward, or --config), then flags.

    A file found in the repository is untrusted (trust.py): its paths stay inside the repository
    unless --trusted-config, and --repo-policy limits what it does to the policy."""
    from portacheck import trust
    from portacheck.config import find_config, load_settings, parse_fail_on, resolve
    from portacheck.discover import scan_root

    fail_level = None
    if fail_on is not None:
        try:
            fail_level = parse_fail_on(fail_on)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--fail-on") from exc
    missing = [path for path in paths if not os.path.lexists(path)]
    if missing:
        raise PortacheckError(f"{missing[0]}: no such file or directory")
    if config_file and no_config:
        raise typer.BadParameter("--config and --no-config contradict each other", param_hint="--config")
    if repo_policy not in trust.REPO_POLICIES:
        raise typer.BadParameter(f"choose {', '.join(trust.REPO_POLICIES)}", param_hint="--repo-policy")
    settings = None
    if config_file:
        settings = load_settings(config_file)
    elif not no_config:
        root = scan_root(paths or ["."])
        found = find_config(root)
        if found:
            settings = load_settings(found, within=None if trusted_config else trust.repository_root(root))
    flags: dict[str, Any] = {
        "min_coverage": None if min_coverage is None else min_coverage / 100,
        "exclude": exclude,
        "disable": [rule_id.upper() for rule_id in disable or ()],
        "rules_dirs": [os.path.abspath(p) for p in rules or ()],
        "baseline": os.path.abspath(baseline) if baseline else None,
        "targets": tuple(dict.fromkeys(t.strip().lower() for item in targets for t in item.split(",") if t.strip())) if targets else None,
        "targets_flag": True if targets else None,
        "sovereignty": (sovereignty if re.match(r"^[a-z][a-z0-9-]*$", sovereignty) else os.path.abspath(sovereignty)) if sovereignty else None,
        "ignores": False if no_ignores else None,
        "gitignore": False if no_gitignore else None,
        "frontends": frontends,
    }
    if fail_on is not None:
        flags["fail_on"] = fail_level
    from dataclasses import replace

    config = replace(resolve(settings, **flags), cache_dir=None if no_cache else cache_dir())
    if fail_on is not None and fail_level is None:  # `never` from the command line beats the file
        config = replace(config, fail_on=None)
    if settings is not None and not config_file and repo_policy != "apply":
        own = resolve(None, **dict(flags, frontends=None))
        config, dropped = trust.limit_policy(own, config, repo_policy, settings.source)
        for message in dropped:
            typer.echo(f"portacheck: note: {message}", err=True)
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
            if spec.kind == "number":
                try:
                    value = float(value)
                except ValueError:
                    raise OptionError(f"expected a number, not {value!r}") from None
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


_METAVARS = {"files": "FILE", "dirs": "DIR", "number": "NUMBER"}


def _with_scan_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command that scans the options every scan takes, declared once: the shared ones
    below and every frontend's flags. The command receives them as `scan_options`, a dict."""
    from portacheck.parse.options import LIST_KINDS

    shared = [
        ("config_file", str | None, typer.Option(None, "--config", metavar="FILE", help="Configuration file to use instead of the .portacheck.yaml or pyproject.toml found from the scanned root upward.")),
        ("no_config", bool, typer.Option(False, "--no-config", help="Ignore configuration files; only flags and defaults apply.")),
        ("trusted_config", bool, typer.Option(False, "--trusted-config", help="Trust the repository's configuration file as if given with --config: it may name paths outside the repository.")),
        ("repo_policy", str, typer.Option("apply", "--repo-policy", metavar="apply|tighten|ignore", help="What the repository's configuration may do to fail-on, min-coverage, disable, overrides and rules: apply, tighten (never loosen the command line's) or ignore.")),
        ("no_ignores", bool, typer.Option(False, "--no-ignores", help="Audit everything: ignore inline suppressions and the baseline.")),
        ("disable", list[str], typer.Option(None, "--disable", metavar="RULE-ID", help="Drop the findings of this rule id (repeatable; adds to the configuration's).")),
        ("rules", list[str], typer.Option(None, "--rules", metavar="DIR", help="Extra rule directory; its rules add to or replace bundled ones (repeatable).")),
        ("exclude", list[str], typer.Option(None, "--exclude", metavar="GLOB", help="Skip paths matching this glob or name (repeatable; adds to the configuration's).")),
        ("no_gitignore", bool, typer.Option(False, "--no-gitignore", help="Also read files that .gitignore files (and .git/info/exclude) ignore.")),
    ]
    for parameter, (_frontend, _name, spec) in _frontend_parameters().items():
        if spec.kind == "flag":
            shared.append((parameter, bool | None, typer.Option(None, f"{spec.flag}/--no-{spec.flag[2:]}", help=spec.help, show_default=False)))
            continue
        kind: Any = list[str] if spec.kind in LIST_KINDS else str | None
        shared.append((parameter, kind, typer.Option(None, spec.flag, metavar=spec.metavar or _METAVARS.get(spec.kind) or "|".join(spec.choices) or "VALUE", help=spec.help)))
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
        trusted_config=options["trusted_config"],
        repo_policy=options["repo_policy"],
        exclude=options["exclude"],
        disable=options["disable"],
        rules=options["rules"],
        no_ignores=options["no_ignores"],
        no_gitignore=options["no_gitignore"],
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
    paths: list[str] = typer.Argument(None, metavar="PATH", help="Files or directories to scan (default: the current directory)."),
    format: list[str] = typer.Option(
        None,
        "--format",
        "-f",
        metavar="FORMAT[:PATH]",
        help=f"Report format: {_FORMATS_HELP}. Repeat for several; FORMAT:PATH writes that one to a file. Default: text.",
    ),
    output: str | None = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the last --format given without :PATH to this file instead of standard output."),
    fail_on: str | None = typer.Option(
        None, "--fail-on", metavar="LEVEL", help="Fail (exit 1) on findings at or above this level: P1, P2, P3, P4, U or never. Default: the configuration's, else P3."
    ),
    min_coverage: str | None = typer.Option(
        None, "--min-coverage", metavar="PCT", help="Fail when less than this percentage (0-100) of resources carry over with at most re-pointing (P0-P1)."
    ),
    baseline: str | None = typer.Option(None, "--baseline", metavar="FILE", help="Report only findings not recorded in this baseline file (see `portacheck baseline create`)."),
    target: list[str] = typer.Option(
        None, "--target", "-t", metavar="KEY", help="Judge against this destination (e.g. scaleway, hetzner, private; see `portacheck targets`). Repeat or separate with commas to compare several."
    ),
    sovereignty: str | None = typer.Option(
        None, "--sovereignty", metavar="PROFILE", help="Judge each deployed resource against a sovereignty profile: broad (data in EU/EEA regions), strict (an EU-owned provider, EU/EEA regions) or a profile file of your own."
    ),
    path_base: str | None = typer.Option(
        None, "--path-base", metavar="DIR", help="Give the paths of SARIF, GitLab, JUnit and Markdown reports relative to DIR (e.g. `.`, the repository root code hosts link from) instead of the scanned root."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print no report to standard output; errors and the exit code still tell."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every finding, P0 included."),
    compact: bool = typer.Option(False, "--compact", help="One line per finding (path:line:col: LEVEL RULE-ID message) on standard output, for hooks and logs, unless a --format without :PATH goes there."),
    color: str = typer.Option(
        "auto", "--color", metavar="WHEN", help="Colour the text report: auto (on a terminal, or when FORCE_COLOR or CLICOLOR_FORCE is set; not when NO_COLOR is), always or never."
    ),
    compare_to: str | None = typer.Option(
        None,
        "--compare-to",
        metavar="BASE.json",
        help="Compare this scan with a saved JSON report: new, removed and changed findings, effort, providers, regions. Adds the formats delta-text (the default then), delta-json and delta-markdown.",
    ),
    fail_on_new: str | None = typer.Option(
        None, "--fail-on-new", metavar="LEVEL", help="With --compare-to: fail (exit 1) on a new finding at or above LEVEL, or one raised to it: P1, P2, P3, P4, U or never."
    ),
    max_effort_increase: str | None = typer.Option(
        None, "--max-effort-increase", metavar="DAYS", help="With --compare-to: fail (exit 1) when the high end of the effort grows by more than DAYS person-days."
    ),
    *,
    scan_options: dict[str, Any],
) -> None:
    """Scan infrastructure code and report how portable it is."""
    from portacheck.report import FORMATS, render, rendered
    from portacheck.report.escape import terminal
    from portacheck.scan import run
    from portacheck.trust import write_output

    color = _choice(color, ("auto", "always", "never"), "--color")
    formats = list(format or [])
    if compare_to is None:
        for flag, value in (("--fail-on-new", fail_on_new), ("--max-effort-increase", max_effort_increase)):
            if value is not None:
                raise typer.BadParameter("needs --compare-to BASE.json", param_hint=flag)
        for item in formats:
            if item.partition(":")[0].strip().lower() in _DELTA_FORMATS:
                raise typer.BadParameter(f"{item.partition(':')[0].strip()!r} needs --compare-to BASE.json", param_hint="--format")
    policy = _delta_policy(fail_on_new, max_effort_increase)
    if compact and not any(":" not in item for item in formats):  # a --format for standard output wins
        formats.append("compact")
    formats = formats or (["delta-text"] if compare_to else ["text"])
    outputs = _outputs(formats, output, (*FORMATS, *_DELTA_FORMATS) if compare_to else None)
    base_report = None
    if compare_to is not None:
        from portacheck.delta import load_report

        base_report = load_report(compare_to)  # before scanning: a wrong file is exit 2 at once
    config = _scan_config(
        paths or ["."], scan_options, fail_on=fail_on, min_coverage=_percentage(min_coverage, "--min-coverage"), baseline=baseline, targets=target, sovereignty=sovereignty
    )
    progress = _progress(not (scan_options["no_progress"] or quiet))
    try:
        assessment = run(paths or ["."], config, debug=scan_options["debug"], progress=progress)
    finally:
        if progress is not None:
            progress.close()
    options = {"verbose": verbose, "min_coverage": config.min_coverage, "base": os.path.abspath(path_base) if path_base else None}
    delta = None
    if base_report is not None:
        import json

        from portacheck.delta import compare

        delta = compare(base_report, json.loads(rendered("json", assessment)), policy)
    wrote_text_to_stdout = False
    for name, path in outputs:
        if name in _DELTA_FORMATS and delta is not None:  # accepted only with --compare-to
            from portacheck.report.delta import render as render_delta

            text = render_delta(name.removeprefix("delta-"), delta)
            if path is None:
                if not quiet:
                    sys.stdout.write(text)
            else:
                write_output(path, text, "report")
            continue
        if path is None:
            if quiet:
                continue
            render(name, assessment, sys.stdout, color=_use_color(color, sys.stdout), **options)
            wrote_text_to_stdout = name in ("text", "compact")  # these list the input problems themselves
        else:
            write_output(path, rendered(name, assessment, color=False, **options), "report")
    if not wrote_text_to_stdout:
        for error in assessment.errors:
            typer.echo(f"portacheck: {terminal(error)}", err=True)
        for note in assessment.notes:
            typer.echo(f"portacheck: note: {terminal(note)}", err=True)
    if assessment.below_coverage:
        typer.echo(
            f"portacheck: coverage {assessment.coverage * 100:.1f}% is below --min-coverage {config.min_coverage * 100:g}%",
            err=True,
        )
    for reason in delta.failures if delta is not None else ():
        typer.echo(f"portacheck: compared with {terminal(compare_to)}: {reason}", err=True)
    delta_failed = delta is not None and delta.policy_failed
    raise typer.Exit(exit_code(assessment.policy_failed() or delta_failed, assessment.has_errors))


@app.command("diff")
def diff_command(
    base: str = typer.Argument(..., metavar="BASE.json", help="The JSON report to compare with (e.g. of the target branch)."),
    head: str = typer.Argument(..., metavar="HEAD.json", help="The JSON report of the change."),
    format: list[str] = typer.Option(
        None, "--format", "-f", metavar="FORMAT[:PATH]", help="Delta format: text (default), json or markdown (a pull-request comment, at most 65,536 characters). Repeat for several; FORMAT:PATH writes that one to a file."
    ),
    output: str | None = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the last --format given without :PATH to this file instead of standard output."),
    fail_on_new: str | None = typer.Option(
        None, "--fail-on-new", metavar="LEVEL", help="Fail (exit 1) on a new finding at or above LEVEL, or one raised to it: P1, P2, P3, P4, U or never."
    ),
    max_effort_increase: str | None = typer.Option(
        None, "--max-effort-increase", metavar="DAYS", help="Fail (exit 1) when the high end of the effort grows by more than DAYS person-days."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing to standard output; the exit code still tells."),
) -> None:
    """Compare two JSON reports: new, removed and changed findings, effort, providers, regions, files not analysed."""
    from portacheck.delta import compare, load_report
    from portacheck.report.delta import DELTA_FORMATS, render
    from portacheck.report.escape import terminal
    from portacheck.trust import write_output

    outputs = _outputs(list(format or []) or ["text"], output, DELTA_FORMATS)
    policy = _delta_policy(fail_on_new, max_effort_increase)
    delta = compare(load_report(base), load_report(head), policy)
    for name, path in outputs:
        text = render(name, delta)
        if path is None:
            if not quiet:
                sys.stdout.write(text)
        else:
            write_output(path, text, "report")
    for reason in delta.failures:
        typer.echo(f"portacheck: {reason}", err=True)
    if delta.head_incomplete:
        typer.echo(f"portacheck: {terminal(head)}: some input was not analysed in this report", err=True)
    raise typer.Exit(exit_code(delta.policy_failed, delta.head_incomplete))


@app.command("comment")
def comment_command(
    body: str = typer.Argument(..., metavar="BODY.md", help="The comment's Markdown, e.g. written by `--format delta-markdown:BODY.md`."),
    platform: str = typer.Option(..., "--platform", metavar="github|gitlab", help="Post to a GitHub pull request or a GitLab merge request (its settings come from the CI environment)."),
    key: str = typer.Option("default", "--key", metavar="KEY", help="Tells this comment from other portacheck comments on the same pull request (several runs in one repository)."),
    delta: str | None = typer.Option(None, "--delta", metavar="DELTA.json", help="The delta-json report: when it says nothing changed and there is no comment yet, post none."),
    pr: str | None = typer.Option(None, "--pr", metavar="NUMBER", help="The pull request (GitHub) or merge request IID (GitLab). Default: from the CI environment."),
) -> None:
    """Keep one comment on a pull or merge request: create it, update it when its text changes, skip it when nothing changed."""
    from portacheck import prcomment
    from portacheck.reader import read_text
    from portacheck.report.escape import terminal

    platform = _choice(platform, prcomment.PLATFORMS, "--platform")
    prcomment.check_key(key)
    try:
        text = read_text(body, prcomment.MAX_TEXT_BYTES)
    except InputError as exc:
        raise PortacheckError(f"{body}: {exc.message}") from None
    unchanged = prcomment.nothing_changed(delta) if delta else False
    target = prcomment.TARGETS[platform](os.environ, pr)
    outcome = prcomment.post(target, text, key, unchanged)
    typer.echo(f"portacheck: {terminal(outcome.message)}", err=True)


@baseline_app.command("create")
@_with_scan_options
def baseline_create(
    paths: list[str] = typer.Argument(None, metavar="PATH", help="Files or directories to scan (default: the current directory)."),
    output: str | None = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Baseline file to write. Default: the configuration's `baseline`, else .portacheck-baseline.json."
    ),
    *,
    scan_options: dict[str, Any],
) -> None:
    """Record the current findings (P1 and up) so that later scans with --baseline report only new ones."""
    from dataclasses import replace

    from portacheck import baseline as baselines
    from portacheck.config import DEFAULT_BASELINE, display_path
    from portacheck.report.escape import terminal
    from portacheck.scan import run

    config = _scan_config(paths or ["."], scan_options)
    target = output or config.baseline or DEFAULT_BASELINE
    # a baseline named by the repository's own configuration is written inside the repository only
    inside = config.repo_root if not output and config.baseline else None
    config = replace(config, baseline=None)  # the old baseline must not hide findings from the new one
    progress = _progress(not scan_options["no_progress"])
    try:
        assessment = run(paths or ["."], config, debug=scan_options["debug"], progress=progress)
    finally:
        if progress is not None:
            progress.close()
    result = baselines.build(assessment.findings, assessment.root, target)
    baselines.write(result, inside)
    for error in assessment.errors:
        typer.echo(f"portacheck: {terminal(error)}", err=True)
    count = len(result.entries)
    typer.echo(f"portacheck: wrote {count} finding{'s' if count != 1 else ''} to {display_path(target)}", err=True)
    if assessment.has_errors:
        typer.echo("portacheck: some input could not be analysed; its findings are not in the baseline", err=True)
    raise typer.Exit(EXIT_INCOMPLETE if assessment.has_errors else EXIT_OK)


@config_app.command("init")
def config_init(
    output: str = typer.Option(".portacheck.yaml", "--output", "-o", metavar="FILE", help="File to write."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
    fail_on: str | None = typer.Option(None, "--fail-on", help="Set fail-on in the file: P1, P2, P3, P4, U or never (default P3)."),
    min_coverage: float | None = typer.Option(None, "--min-coverage", min=0, max=100, help="Set min-coverage in the file (percent)."),
    baseline: str | None = typer.Option(None, "--baseline", help="Set baseline in the file: the baseline file every scan uses."),
) -> None:
    """Write a commented starter configuration file."""
    from portacheck.config import STARTER, parse_fail_on
    from portacheck.config_edit import set_keys

    if os.path.exists(output) and not force:
        raise PortacheckError(f"{output} already exists; use --force to overwrite it")
    values: dict[str, Any] = {}
    if fail_on is not None:
        try:
            parse_fail_on(fail_on)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--fail-on") from None
        values["fail-on"] = fail_on.strip().lower() if fail_on.strip().lower() == "never" else fail_on.strip().upper()
    if min_coverage is not None:
        values["min-coverage"] = int(min_coverage) if min_coverage == int(min_coverage) else min_coverage
    if baseline is not None:
        values["baseline"] = baseline
    try:
        with open(output, "w", encoding="utf-8") as stream:
            stream.write(set_keys(STARTER, values))
    except OSError as exc:
        raise PortacheckError(f"{output}: cannot write: {exc.strerror or exc}") from None
    typer.echo(f"portacheck: wrote {output}", err=True)


@config_app.command("show")
def config_show(
    paths: list[str] = typer.Argument(None, metavar="PATH", help="The paths a scan would get (the file is found from their root upward)."),
    config_file: str | None = typer.Option(None, "--config", metavar="FILE", help="Configuration file to read instead."),
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
                shown = str(value).lower() if isinstance(value, bool) else f"{value:g}" if isinstance(value, float) else value
                lines.append(f"  {spec.key}: {shown}")
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
    level: list[str] = typer.Option(None, "--level", metavar="LEVEL", help="Only rules of this level: P0, P1, P2, P3, P4 or U (repeatable)."),
    category: list[str] = typer.Option(None, "--category", metavar="CATEGORY", help="Only rules of this category, e.g. nosql-db (repeatable)."),
    provider: list[str] = typer.Option(None, "--provider", metavar="PROVIDER", help="Only rules of this provider, e.g. aws, azurerm, google (repeatable)."),
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text (one rule per line) or json."),
    rules: list[str] = typer.Option(None, "--rules", metavar="DIR", help="Extra rule directory (repeatable)."),
) -> None:
    """List the catalogue: one rule per line with level, category, provider and service."""
    import json

    from portacheck.model import Level
    from portacheck.rules.loader import load_catalogue

    format = _choice(format, ("text", "json"), "--format")
    try:
        levels = {Level.parse(value) for value in level or ()}
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--level") from None
    catalogue = load_catalogue(rules or ())
    for flag, given, known in (
        ("--category", category, {r.category for r in catalogue.rules}),
        ("--provider", provider, {r.provider for r in catalogue.rules}),
    ):
        unknown = sorted(set(given or ()) - known)
        if unknown:
            raise typer.BadParameter(f"{unknown[0]!r} is not one of {', '.join(sorted(known))}", param_hint=flag)
    chosen = [
        rule
        for rule in catalogue.rules
        if (not levels or rule.level in levels) and (not category or rule.category in category) and (not provider or rule.provider in provider)
    ]
    if format == "json":
        items = [
            {"id": r.id, "provider": r.provider, "service": r.service, "level": r.level.value, "category": r.category, "effort": r.effort, "why": r.why}
            for r in chosen
        ]
        typer.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    for rule in chosen:
        typer.echo(f"{rule.id:<34} {rule.level.value:<3} {rule.category:<15} {rule.provider:<12} {rule.service}")


@rules_app.command("show")
def rules_show(
    rule_id: str = typer.Argument(..., metavar="RULE-ID", help="Rule id, e.g. AWS-DYNAMODB."),
    rules: list[str] = typer.Option(None, "--rules", metavar="DIR", help="Extra rule directory (repeatable)."),
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
        lines.extend(f"    - {m.target_name}: {m.offer} ({m.compatibility}; evidence: {m.evidence}, as of {m.as_of})" for m in rule.managed)
    if catalogue.targets:
        from portacheck.report.common import judgement_text
        from portacheck.targets import judge_rule

        lines.append("  at each target (its level there, and what moving takes; offers with their evidence and date):")
        width = max(len(key) for key in catalogue.targets)
        for target in catalogue.targets.values():
            lines.append(f"    {target.key:<{width}}  {judgement_text(judge_rule(rule, rule.level, target))}")
    if rule.conditions:
        lines.append("  level depends on:")
        for c in rule.conditions:
            lines.append(f"    - {c.attribute} {c.test()} -> {c.level.value}: {c.why}")
    lines.append("  matches:")
    for kind, patterns in rule.match.items():
        lines.append(f"    {kind}: {', '.join(patterns)}")
    if rule.notes:
        lines.append(f"  notes:      {rule.notes}")
    lines.append(f"  defined in: {rule.source_file}")
    if rule.extended_in:
        lines.append(f"  signals in: {', '.join(rule.extended_in)}")
    typer.echo("\n".join(lines))


@rules_app.command("docs")
def rules_docs(
    directory: str = typer.Argument(..., metavar="DIR", help="Where to write the pages, e.g. docs/catalogue."),
) -> None:
    """Write the catalogue reference: a Markdown page per rule file with a table per rule, and an index (README.md)."""
    from pathlib import Path

    from portacheck.rules import reference
    from portacheck.rules.loader import load_catalogue

    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise PortacheckError(f"{directory}: not a directory")
    try:
        written = reference.write(target, reference.pages(load_catalogue()))
    except OSError as exc:
        raise PortacheckError(f"{directory}: cannot write the reference: {exc.strerror or exc}") from None
    typer.echo(f"wrote {len(written)} pages to {directory}")


@app.command("targets")
def targets_command(
    key: str | None = typer.Argument(None, metavar="KEY", help="Show one target in full, e.g. scaleway."),
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text or json."),
    rules: list[str] = typer.Option(None, "--rules", metavar="DIR", help="Extra rule directory (repeatable)."),
) -> None:
    """List the destinations `scan --target` judges against: who runs them, where, and what they offer."""
    import json

    from portacheck.rules.loader import load_catalogue

    format = _choice(format, ("text", "json"), "--format")
    catalogue = load_catalogue(rules or ())
    chosen = [catalogue.target(key)] if key else list(catalogue.targets.values())
    offers = {t.key: [m for r in catalogue.rules for m in r.managed if m.target == t.key] for t in chosen}
    if format == "json":
        from portacheck.report.json import target_facts

        typer.echo(json.dumps([dict(target_facts(t), offers=len(offers[t.key])) for t in chosen], indent=2, ensure_ascii=False))
        return
    if not key:
        for t in chosen:
            where = t.headquarters or "-"
            eu = {True: "EU-headquartered", False: "not EU-headquartered", None: "runs where you run it"}[t.eu_headquartered]
            typer.echo(f"{t.key:<10} {t.name:<36} {t.kind:<8} {where:<3} {eu:<22} {len(offers[t.key]):>4} offers  platform {t.platform_cost[0]:g}–{t.platform_cost[1]:g} person-days")
        return
    t = chosen[0]
    lines = [f"{t.key}: {t.name}", f"  kind:        {t.kind}"]
    if t.headquarters:
        lines.append(f"  headquarters: {t.headquarters} ({'EU-headquartered' if t.eu_headquartered else 'not EU-headquartered'})")
    if t.parent or t.ownership:
        dated = f" (as of {t.ownership_as_of})" if t.ownership_as_of else ""
        lines.append(f"  owned by:    {t.ownership or t.parent}{dated}")
    if t.regions:
        by_class: dict[str, list[str]] = {}
        for region, region_class in t.regions.items():
            by_class.setdefault(region_class, []).append(region)
        lines.append("  regions:     " + "; ".join(f"{c}: {', '.join(r)}" for c, r in by_class.items()))
    for cert in t.certifications:
        scope = f", {cert.scope}" if cert.scope else ""
        lines.append(f"  certified:   {cert.name} (as of {cert.as_of}{scope}; {cert.source})")
    lines.append(f"  platform:    {t.platform_cost[0]:g}–{t.platform_cost[1]:g} person-days one-off (landing zone, identity, network, CI/CD, observability, backup)")
    for category, provided in t.platform.items():
        lines.append(f"    provides {category}: {provided}")
    counts = {c: sum(1 for m in offers[t.key] if m.compatibility == c) for c in ("same-api", "compatible", "functional")}
    lines.append(f"  offers:      {len(offers[t.key])} in the catalogue (" + ", ".join(f"{n} {c}" for c, n in counts.items()) + ")")
    if t.self_run:
        lines.append("               none managed: every managed service takes the self-run open-source path, except what the platform provides")
    if t.notes:
        lines.append(f"  notes:       {t.notes}")
    for source in t.sources:
        lines.append(f"  source:      {source}")
    typer.echo("\n".join(lines))


@rules_app.command("coverage")
def rules_coverage(
    catalog: list[str] = typer.Option(
        None, "--catalog", metavar="PATH", help="A <provider>.resources.txt, .data-sources.txt or .resource-types.txt list, or a directory of them (repeatable). Default: the lists shipped with portacheck (Terraform, CloudFormation, ARM)."
    ),
    rules: list[str] = typer.Option(None, "--rules", metavar="DIR", help="Extra rule directory (repeatable)."),
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
    args = list(argv if argv is not None else sys.argv[1:])
    debug = "--debug" in args or os.environ.get("PORTACHECK_DEBUG", "").strip().lower() not in ("", "0", "false", "no")
    _tolerant_streams()
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], max(thresholds[2], _OLDEST_EVERY))
    try:
        result = app(args=args, prog_name="portacheck", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except PortacheckError as exc:
        from portacheck.report.escape import terminal

        typer.echo(f"portacheck: error: {terminal(exc)}", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        typer.echo("portacheck: interrupted", err=True)
        return 130
    except Exception as exc:  # noqa: BLE001 - click's usage errors and any bug: one line, never a traceback
        return _unexpected(exc, debug)
    finally:
        gc.set_threshold(*thresholds)
    return result if isinstance(result, int) else EXIT_OK


# A scan builds one large heap of mostly acyclic data (syntax trees, resources, findings) that
# lives until the end. Python's full collection walks all of it each time it has grown by a
# quarter: 4.3 of 13.7 CPU-seconds on a 4.9 MB .tf (issue 17). The young generations are still
# collected as before, so short-lived cycles are freed; the oldest one every ~7 million net
# allocations (700 x 10 x 1000) instead of every 70,000.
_OLDEST_EVERY = 1000


def _tolerant_streams() -> None:
    """Standard output and error replace what their encoding cannot show (a `?` under
    PYTHONIOENCODING=ascii or a cp1252 console) instead of failing with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure) and getattr(stream, "errors", "strict") == "strict":
            with contextlib.suppress(OSError, ValueError):  # a closed or detached stream
                reconfigure(errors="replace")


def _unexpected(exc: Exception, debug: bool) -> int:
    # Usage errors come from the click that typer bundles (or a separate click): recognise them by shape.
    if type(exc).__name__ == "Abort" or isinstance(exc, typer.Abort):
        typer.echo("portacheck: aborted", err=True)
        return 130
    if callable(getattr(exc, "format_message", None)) and isinstance(getattr(exc, "exit_code", None), int):
        if getattr(exc, "exit_code", None) == 0:
            return EXIT_OK
        typer.echo(f"portacheck: error: {_usage_message(exc)}{_help_hint(exc)}", err=True)
        return EXIT_USAGE
    if debug:
        import traceback

        traceback.print_exc()
    typer.echo(
        f"portacheck: internal error: {type(exc).__name__}: {exc} (run with --debug for details; please report it)", err=True
    )
    return EXIT_INTERNAL


def _usage_message(exc: Any) -> str:
    """A click usage error in portacheck's words: `--min-coverage: expected ...`, `no such option: --bogus`."""
    kinds = {cls.__name__ for cls in type(exc).__mro__}
    if "NoSuchOption" in kinds:
        close = sorted(getattr(exc, "possibilities", None) or ())
        if len(close) > 1:  # only the closest: `--fail-of` means --fail-on, not --fail-on-new
            import difflib

            score = {option: difflib.SequenceMatcher(None, exc.option_name, option).ratio() for option in close}
            close = [option for option in close if score[option] == max(score.values())]
        return f"no such option: {exc.option_name}" + (f"; did you mean {' or '.join(close)}?" if close else "")
    if "BadParameter" in kinds and "MissingParameter" not in kinds:
        hint = exc.param_hint
        if hint is None and exc.param is not None:
            hint = " / ".join(exc.param.opts) if exc.param.param_type_name == "option" else exc.param.human_readable_name
        if isinstance(hint, (list, tuple)):
            hint = " / ".join(hint)
        hint = str(hint or "value").strip("'\"")
        return f"{hint}: {exc.message}"
    text = str(exc.format_message()).strip().rstrip(".")
    return text[:1].lower() + text[1:]


def _help_hint(exc: Any) -> str:
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", "") or "portacheck"
    return f" (see `{path} --help`)"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
