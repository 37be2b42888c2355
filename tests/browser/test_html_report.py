"""The HTML report in a real browser: Debian's chromium, headless, driven by the playwright package.

One browser for the module. Without chromium (`/usr/bin/chromium`, or PORTACHECK_CHROMIUM) or the
playwright package these tests skip, unless PORTACHECK_REQUIRE_BROWSER=1 (CI), where they fail.
Playwright never downloads a browser here: it is given chromium's path. The screenshot goes to
$PORTACHECK_ARTIFACTS (else the test's temporary directory) and its path is printed.
"""

from __future__ import annotations

import collections
import io
import json
import os
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from portacheck.cli import main

from helpers import FIXTURES

SHOP = FIXTURES / "waves-shop"
TARGETS = ("scaleway", "hetzner")


def _unavailable(reason: str):
    if os.environ.get("PORTACHECK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and PORTACHECK_REQUIRE_BROWSER=1", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    chromium = os.environ.get("PORTACHECK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not os.access(chromium, os.X_OK):
        _unavailable(f"no chromium at {chromium} (apt-get install chromium, or set PORTACHECK_CHROMIUM)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, dict]:
    """The HTML and JSON reports of one scan of the waves-shop fixture against two targets."""
    out = tmp_path_factory.mktemp("html-report")
    args = ["scan", str(SHOP), *(a for key in TARGETS for a in ("--target", key)), "--no-progress", "--no-cache"]
    args += ["-f", f"html:{out / 'report.html'}", "-f", f"json:{out / 'report.json'}"]
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()) as err:
        code = main(args)
    assert code == 1, err.getvalue()  # the fixture has a finding at P4
    return out / "report.html", json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture
def page(browser, report):
    """The report opened from file://, with every console message, page error and request recorded."""
    opened = browser.new_page(viewport={"width": 1280, "height": 900})
    opened.seen = {"console": [], "errors": [], "requests": []}
    opened.on("console", lambda message: opened.seen["console"].append(f"{message.type}: {message.text}"))
    opened.on("pageerror", lambda error: opened.seen["errors"].append(str(error)))
    opened.on("request", lambda request: opened.seen["requests"].append(request.url))
    opened.goto(report[0].as_uri())
    yield opened
    opened.close()


def _count(page) -> str:
    return page.inner_text(".count")


def test_loads_offline_without_a_console_message_or_a_request(page, report, tmp_path):
    assert page.title() == "Cloud portability of waves-shop · portacheck"
    assert page.seen == {"console": [], "errors": [], "requests": [report[0].as_uri()]}
    folder = Path(os.environ.get("PORTACHECK_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "html-report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {shot.resolve()}")


def test_counts_equal_the_json_report(page, report):
    summary, findings = report[1]["summary"], report[1]["findings"]
    figures = page.eval_on_selector_all("dl.figures [data-count]", "nodes => nodes.map(n => [n.dataset.count, n.textContent])")
    assert dict(figures) == {
        "resources": str(summary["resources"]), "findings": str(summary["findings"]),
        "workloads": str(summary["workloads"]["total"]), "errors": str(summary["errors"]),
    }
    levels = page.eval_on_selector_all("#summary [data-level]", "nodes => nodes.map(n => [n.dataset.level, Number(n.textContent)])")
    assert dict(levels) == summary["levels"]
    targets = page.eval_on_selector_all("#targets [data-target][data-count]", "nodes => nodes.map(n => [n.dataset.target, n.dataset.count, Number(n.textContent)])")
    assert {(key, verdict): n for key, verdict, n in targets} == {
        (t["key"], verdict): t["verdicts"].get(verdict, 0) for t in summary["targets"] for verdict in ("ready", "ready_with_conditions", "not_ready", "unknown")
    }
    for key in ("provider", "category"):
        bars = page.eval_on_selector_all(
            f"svg [data-{key}]", f"groups => groups.map(g => [g.dataset.{key}, Array.from(g.querySelectorAll('rect')).map(r => [r.dataset.level, Number(r.dataset.count)])])"
        )
        assert {name: dict(segments) for name, segments in bars} == {
            name: {level: n for level, n in counts.items() if n} for name, counts in summary[f"by_{key}"].items()
        }
    rows = page.eval_on_selector_all("#findings-table tbody tr", "rows => rows.map(r => r.dataset.level)")
    assert collections.Counter(rows) == collections.Counter(f["level"] for f in findings)


def test_search_and_filters_narrow_the_table_and_the_live_count(page, report):
    findings = report[1]["findings"]
    total = len(findings)

    def visible() -> list[str]:
        return page.eval_on_selector_all("#findings-table tbody tr:not([hidden])", "rows => rows.map(r => r.textContent.toLowerCase())")

    above_p0 = sum(1 for f in findings if f["level"] != "P0")
    assert _count(page) == f"{above_p0} of {total} findings shown"  # the default: P1 and above, as the other reports list
    page.select_option("#filter-level", "")
    assert _count(page) == f"{total} of {total} findings shown" and len(visible()) == total
    page.fill("#filter-search", "sqs")
    shown = visible()
    assert 0 < len(shown) < total and all("sqs" in text for text in shown)
    assert _count(page) == f"{len(shown)} of {total} findings shown"
    page.fill("#filter-search", "")
    page.select_option("#filter-level", "P4")
    assert _count(page) == f"{sum(1 for f in findings if f['level'] == 'P4')} of {total} findings shown"
    page.select_option("#filter-level", "")
    page.select_option("#filter-file", "k8s/orders.yaml")
    assert _count(page) == f"{sum(1 for f in findings if f['file'] == 'k8s/orders.yaml')} of {total} findings shown"
    page.select_option("#filter-provider", "kubernetes")
    assert _count(page) == f"{sum(1 for f in findings if f['file'] == 'k8s/orders.yaml' and f['provider'] == 'kubernetes')} of {total} findings shown"
    page.click("button[type=reset]")
    page.wait_for_function(f"document.getElementById('findings-shown').textContent === '{above_p0}'")


def test_keyboard_reaches_the_filters(page, report):
    total = len(report[1]["findings"])
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        if reached[-1] == "filter-search":
            break
    assert reached[-1] == "filter-search", reached
    before = page.eval_on_selector_all("#findings-table tbody tr:not([hidden])", "rows => rows.length")
    page.keyboard.type("rds")
    shown = page.eval_on_selector_all("#findings-table tbody tr:not([hidden])", "rows => rows.filter(r => r.textContent.toLowerCase().includes('rds')).length")
    assert 0 < shown < before
    assert _count(page) == f"{shown} of {total} findings shown"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filter-level"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_print_shows_every_row_and_hides_the_filters(page, report):
    page.select_option("#filter-level", "P4")
    page.emulate_media(media="print")
    assert page.eval_on_selector("#filters", "form => getComputedStyle(form).display") == "none"
    heights = page.eval_on_selector_all("#findings-table tbody tr", "rows => rows.map(r => r.getBoundingClientRect().height)")
    assert len(heights) == len(report[1]["findings"]) and all(h > 0 for h in heights)
    assert page.eval_on_selector("#waves details table", "t => t.getBoundingClientRect().height") > 0
