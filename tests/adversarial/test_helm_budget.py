"""Issue 17, item 3: rendered Helm output and chart archives are analysed within budgets.

A chart past a budget costs that chart only: one error line naming it, exit code 3, and the
sibling chart and files are still scanned. Every fixture is generated here."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from adversarial.reader_harness import CONFIG_MAP, LB, SQS, bounded_scan, write, zeros_chart_archive
from portacheck.parse.helm import render

MILLION = "{{ range until 1000000 }}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c{{ . }}}\n{{ end }}"


def chart(name: str, template: str) -> dict[str, str]:
    return {f"{name}/Chart.yaml": f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n", f"{name}/templates/t.yaml": template}


def test_a_million_objects_template_with_the_static_renderer_stays_bounded(tmp_path):
    root = write(tmp_path / "repo", {**chart("big", MILLION), **chart("good", LB), "ok.tf": SQS})
    run = bounded_scan(root, "--helm-renderer", "static", ".")
    assert run.code == 3, run  # every chart is only partly analysed with the static renderer
    assert [error.split(" was not rendered ")[0] for error in run.errors] == ["big/Chart.yaml: error: chart big", "good/Chart.yaml: error: chart good"]
    assert run.files == ["good/templates/t.yaml", "ok.tf"]


@pytest.mark.skipif(not render.sdk_installed(), reason="helm-python-sdk is not installed")
def test_a_million_objects_template_with_the_sdk_renderer_is_one_error(tmp_path):
    root = write(tmp_path / "repo", {**chart("big", MILLION), **chart("good", LB), "ok.tf": SQS})
    run = bounded_scan(root, "--helm-renderer", "sdk", ".")
    assert run.code == 3, run
    [error] = [line for line in run.errors if "chart big" in line]
    # the SDK renders into memory: the worker stops at the object budget, or at its own address-space
    # limit (3 GiB), before portacheck (held to 1 GiB here) holds any of it
    assert error.startswith("big/Chart.yaml: error: chart big was not rendered ("), error
    assert "; only partly analysed:" in error
    assert "good/templates/t.yaml" in run.files
    assert "ok.tf" in run.files


@pytest.mark.skipif(not render.sdk_installed(), reason="helm-python-sdk is not installed")
def test_a_chart_past_the_object_budget_is_refused_by_the_sdk_renderer(tmp_path):
    # not in the 1 GiB child: the Go runtime occasionally fails to start under that address space
    write(tmp_path, chart("big", MILLION.replace("1000000", "30000")))
    assert render.render(str(tmp_path / "big"), {}, "big", "sdk") == render.too_large("20,000 objects", "sdk")


def test_renderer_output_is_read_up_to_the_limit_and_the_renderer_killed(tmp_path, monkeypatch):
    monkeypatch.setattr(render, "MAX_OUTPUT", 1024 * 1024)
    endless = [sys.executable, "-c", "import sys\nwhile True: sys.stdout.write('x' * 65536)"]
    assert render._run(endless, None, 60, str(tmp_path), dict(os.environ)) is None
    small = [sys.executable, "-c", "import sys; sys.stdout.write(sys.stdin.read()); sys.stderr.write('e')"]
    done = render._run(small, "hello", 60, str(tmp_path), dict(os.environ))
    assert done is not None
    assert (done.returncode, done.stdout, done.stderr) == (0, "hello", "e")
    with pytest.raises(subprocess.TimeoutExpired):
        render._run([sys.executable, "-c", "import time; time.sleep(60)"], None, 0.5, str(tmp_path), dict(os.environ))


def test_more_objects_than_a_chart_may_render_is_refused():
    text = "---\n".join(CONFIG_MAP for _ in range(render.MAX_OBJECTS + 1))
    assert render._bounded({"c/templates/cm.yaml": text}, "binary") == render.too_large("20,000 objects", "binary")
    assert render._bounded({"c/templates/cm.yaml": CONFIG_MAP}, "binary") == render.Rendered({"c/templates/cm.yaml": CONFIG_MAP}, "binary")


def test_the_scan_budget_refuses_the_charts_past_it(monkeypatch):
    from portacheck.parse.helm.analyse import _scan_budget

    monkeypatch.setattr(render, "MAX_SCAN_OBJECTS", 3)
    two = render.Rendered({"a/templates/cm.yaml": CONFIG_MAP + "---\n" + CONFIG_MAP}, "sdk")
    failed = render.Failure("render", "boom", "sdk")
    assert _scan_budget([two, failed, two, render.Rendered({}, "sdk")]) == [
        two, failed, render.too_large("3 objects in this scan", "sdk"), render.Rendered({}, "sdk"),
    ]


def test_a_ratio_bomb_archive_is_refused(tmp_path):
    bomb = zeros_chart_archive(20 * 1024 * 1024)
    assert len(bomb) * 100 < 20 * 1024 * 1024  # below the 100 MiB size limit, far past the ratio
    root = write(tmp_path / "repo", {"bomb-0.1.0.tgz": bomb, **chart("good", LB), "good/charts/sub-0.1.0.tgz": bomb, "ok.tf": SQS})
    run = bounded_scan(root)
    assert run.code == 3, run
    message = "archive unpacks to more than 100 times its size (a decompression bomb?); not analysed"
    assert f"bomb-0.1.0.tgz: error: chart archive: {message}" in run.errors
    assert f"good/Chart.yaml: error: chart good: good: charts/sub-0.1.0.tgz: {message}" in run.errors
    assert run.files == ["good/templates/t.yaml", "ok.tf"]


def test_a_small_well_compressed_archive_is_fine(tmp_path):
    from portacheck.parse.helm.charts import check_archive

    path = tmp_path / "small.tgz"
    path.write_bytes(zeros_chart_archive(512 * 1024))  # past 100:1, but under 1 MiB unpacked
    check_archive(str(path))


def test_an_archive_past_the_unpacked_size_is_refused_whatever_its_ratio(tmp_path, monkeypatch):
    from portacheck.errors import InputError
    from portacheck.parse.helm import charts

    monkeypatch.setattr(charts, "MAX_ARCHIVE_BYTES", 2 * 1024 * 1024)
    monkeypatch.setattr(charts, "MAX_ARCHIVE_RATIO", 10**6)
    path = tmp_path / "big.tgz"
    path.write_bytes(zeros_chart_archive(3 * 1024 * 1024))
    with pytest.raises(InputError, match=r"^archive unpacks to more than 2 MiB; not analysed$"):
        charts.check_archive(str(path))
