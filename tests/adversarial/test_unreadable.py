"""Issue 17: an unreadable file, directory or chart template costs that thing only, with one located
error, and the exit code says the input was not fully analysed (3).

As root every file is readable, so the scan child drops root's file-override capabilities first
(reader_harness._obey_file_modes); as any other user, chmod 000 is enough."""

from __future__ import annotations

import pytest

from adversarial.reader_harness import CONFIG_MAP, SQS, bounded_scan, fake_helm, file_modes_bind, write

LOCKED = 0


@pytest.fixture
def modes_bind(tmp_path) -> None:
    if not file_modes_bind(tmp_path):
        pytest.skip("mode 000 does not stop reading here: not root with CAP_SETPCAP, and chmod binds no one")


def tree(tmp_path):
    return write(tmp_path / "repo", {
        "ok.tf": SQS, "secret.tf": SQS, "locked/x.tf": SQS,
        "good/Chart.yaml": "apiVersion: v2\nname: good\nversion: 0.1.0\n", "good/templates/cm.yaml": CONFIG_MAP,
        "web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "web/templates/cm.yaml": CONFIG_MAP,
        "web/templates/locked.yaml": CONFIG_MAP, "web/templates/sub/cm.yaml": CONFIG_MAP,
    })


def scan(tmp_path, *locked: str):
    root = tree(tmp_path)
    for path in locked:
        (root / path).chmod(LOCKED)
    try:
        return bounded_scan(root, "--helm-renderer", "binary", ".", bin_dir=fake_helm(tmp_path), unreadable=True)
    finally:
        for path in locked:
            (root / path).chmod(0o755)  # so that tmp_path can be removed


def not_rendered(chart: str) -> str:
    return (f"{chart}/Chart.yaml: error: chart {chart} was not rendered (it could not be prepared for rendering); only partly "
            f"analysed: its values and raw templates were scanned statically, findings marked 'chart {chart} (not rendered)'")


def test_an_unreadable_file_directory_and_template_are_an_error_each(tmp_path, modes_bind):
    run = scan(tmp_path, "secret.tf", "locked", "web/templates/locked.yaml")
    assert run.code == 3, run
    assert run.errors == [
        "locked: error: cannot list directory: Permission denied",
        "secret.tf: error: cannot read: permission denied",
        not_rendered("web"),
        "web/Chart.yaml: error: chart web: templates/locked.yaml: cannot read: permission denied",
    ]
    # the sibling chart rendered, the other Terraform read, and web's readable templates statically
    assert run.files == ["good/templates/cm.yaml", "ok.tf", "web/templates/cm.yaml", "web/templates/sub/cm.yaml"]


def test_an_unreadable_directory_inside_a_chart_is_not_skipped_silently(tmp_path, modes_bind):
    run = scan(tmp_path, "web/templates/sub")
    assert run.code == 3, run
    assert run.errors == [not_rendered("web"), "web/Chart.yaml: error: chart web: templates/sub: cannot list directory: Permission denied"]
    assert run.files == ["good/templates/cm.yaml", "locked/x.tf", "ok.tf", "secret.tf", "web/templates/cm.yaml", "web/templates/locked.yaml"]
