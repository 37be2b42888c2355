"""Issue 17: hostile repositories cost one file, chart or module each, with one located error line,
in bounded time and memory; the sibling files are still scanned. Every fixture is generated here."""

from __future__ import annotations

import json
import os

import pytest

from adversarial.reader_harness import CONFIG_MAP, SQS, bounded_scan, fake_helm, write, zeros_chart_archive

SNS = 'resource "aws_sns_topic" "t" {}\n'


def chart(name: str, chart_yaml: str = "", template: str = CONFIG_MAP) -> dict[str, str]:
    return {
        f"{name}/Chart.yaml": chart_yaml or f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n",
        f"{name}/templates/cm.yaml": template,
    }


def alias_bomb(head: str) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]" for previous, name in zip("abcdefgh", "bcdefghi", strict=True)]
    return head + "\n".join(lines) + "\n"


def test_a_fifo_named_like_terraform_does_not_hang_a_run_that_names_a_file(tmp_path):
    root = write(tmp_path / "repo", {"main.tf": SQS})
    os.mkfifo(root / "x.tf")
    run = bounded_scan(root, "main.tf")
    assert (run.code, run.errors, run.files) == (3, ["x.tf: error: not a regular file (a FIFO, device or socket); not analysed"], ["main.tf"])


def test_a_symlink_to_dev_zero_is_not_read(tmp_path):
    root = write(tmp_path / "repo", {"main.tf": SQS})
    os.symlink("/dev/zero", root / "x.tf")
    run = bounded_scan(root, "main.tf")
    assert (run.code, run.files) == (0, ["main.tf"])  # a warning: the link leaves the root


def test_a_deep_or_huge_terraform_json_costs_that_file(tmp_path):
    root = write(tmp_path / "repo", {
        "ok.tf": SQS,
        "big.tf.json": '{"locals": {"a": ' + "1" * 4400 + "}}",
    })
    run = bounded_scan(root)
    assert (run.code, run.errors, run.files) == (
        3, ["big.tf.json: error: invalid JSON: Exceeds the limit (4300 digits) for integer string conversion"], ["ok.tf"],
    )


@pytest.mark.parametrize(
    ("modules_json", "message"),
    [
        ('{"Modules": 5}', None),
        (json.dumps({"Modules": [{"Key": "m", "Source": "x/y/aws", "Dir": "/etc"}]}), "module 'm': Dir '/etc' leaves the scanned root; refused"),
        (json.dumps({"Modules": [{"Key": "m", "Source": "x/y/aws", "Dir": "../outside"}]}), "module 'm': Dir '../outside' leaves the scanned root; refused"),
    ],
    ids=["not-a-list", "absolute", "parent"],
)
def test_modules_json_cannot_point_outside_nor_drop_the_root_module(tmp_path, modules_json, message):
    write(tmp_path / "outside", {"x.tf": SNS})
    root = write(tmp_path / "repo", {
        "main.tf": SQS + 'module "m" {\n  source = "x/y/aws"\n}\n',
        ".terraform/modules/modules.json": modules_json,
    })
    run = bounded_scan(root)
    assert run.files == ["main.tf"]  # the root module is analysed, the outside file never read
    if message is None:
        assert (run.code, run.errors) == (1, [])  # a warning names modules.json; the module is unresolved
    else:
        assert (run.code, run.errors) == (4, [f".terraform/modules/modules.json: error: {message}"])  # 4: the module is unresolved too


def test_a_local_module_through_a_symlink_leaving_the_root_is_not_followed(tmp_path):
    outside = write(tmp_path / "outside", {"x.tf": SNS})
    root = write(tmp_path / "repo", {"main.tf": SQS + 'module "l" {\n  source = "./link"\n}\n'})
    os.symlink(outside, root / "link")
    run = bounded_scan(root)
    assert (run.code, run.errors, run.files) == (3, ["link: error: module directory leaves the repository (through a symlink); not followed"], ["main.tf"])


def test_a_symlinked_file_in_downloaded_modules_leaving_the_root_is_not_read(tmp_path):
    write(tmp_path / "outside", {"x.tf": SNS})
    root = write(tmp_path / "repo", {
        "main.tf": SQS + 'module "m" {\n  source = "x/y/aws"\n}\n',
        ".terraform/modules/modules.json": json.dumps({"Modules": [{"Key": "m", "Source": "x/y/aws", "Dir": ".terraform/modules/m"}]}),
    })
    (root / ".terraform/modules/m").mkdir()
    os.symlink(tmp_path / "outside/x.tf", root / ".terraform/modules/m/x.tf")
    run = bounded_scan(root)
    assert (run.code, run.errors, run.files) == (3, [".terraform/modules/m/x.tf: error: symlink points outside the scanned root; not read"], ["main.tf"])


@pytest.mark.parametrize(
    ("chart_yaml", "message"),
    [
        ("apiVersion: v2\nname: bad\nversion: 0.1.0\ndescription: !custom x\n", "bad/Chart.yaml:4:14: error: unknown YAML tag '!custom'; chart not analysed"),
        ("apiVersion: v2\nname: bad\nversion: 0.1.0\ndescription: =\n", "bad/Chart.yaml:4:14: error: unknown YAML tag 'tag:yaml.org,2002:value'; chart not analysed"),
        ("apiVersion: v2\nname: bad\nversion: 0.1.0\nx: " + "[" * 990 + "]" * 990 + "\n", "bad/Chart.yaml:4: error: nested deeper than 64 levels; not read; chart not analysed"),
        (alias_bomb("apiVersion: v2\nname: bad\nversion: 0.1.0\n"), "bad/Chart.yaml:4: error: document expands to more than 200,000 nodes (an alias bomb?); not read; chart not analysed"),
        # found by the hypothesis campaign (tests/fuzz, 20,000 examples): a TypeError that dropped every chart
        ("apiVersion: v2\nname: bad\nversion: 0.1.0\ndependencies:\n 10.0\n", "bad/Chart.yaml: error: dependencies must be a list; chart not analysed"),
    ],
    ids=["custom-tag", "value-tag", "deep", "alias-bomb", "scalar-dependencies"],
)
def test_one_bad_chart_costs_that_chart(tmp_path, chart_yaml, message):
    root = write(tmp_path / "repo", {**chart("good", template=CONFIG_MAP.replace("ConfigMap", "Secret")), **chart("bad", chart_yaml), "ok.tf": SQS})
    run = bounded_scan(root)
    assert (run.code, run.errors, run.files) == (3, [message], ["good/templates/cm.yaml", "ok.tf"])


def test_a_lock_file_whose_dependencies_are_not_a_list_is_only_ignored(tmp_path):
    root = write(tmp_path / "repo", {**chart("good", template=CONFIG_MAP.replace("ConfigMap", "Secret")), "good/Chart.lock": "dependencies: 5\n"})
    run = bounded_scan(root, "--helm-renderer", "binary", ".", bin_dir=fake_helm(tmp_path))
    assert (run.code, run.errors, run.files) == (0, [], ["good/templates/cm.yaml"])


def test_a_symlinked_chart_yaml_costs_that_chart(tmp_path):
    write(tmp_path / "outside", {"Chart.yaml": "apiVersion: v2\nname: bad\nversion: 0.1.0\n"})
    root = write(tmp_path / "repo", {**chart("good"), "bad/templates/cm.yaml": CONFIG_MAP, "ok.tf": SQS})
    os.symlink(tmp_path / "outside/Chart.yaml", root / "bad/Chart.yaml")
    run = bounded_scan(root)
    assert (run.code, run.errors, run.files) == (
        3, ["bad/Chart.yaml: error: a symlink; chart files are read without following symlinks; chart not analysed"], ["good/templates/cm.yaml", "ok.tf"],
    )


def test_a_template_symlinked_out_of_its_chart_is_an_error_not_a_silent_pass(tmp_path):
    write(tmp_path / "outside", {"cm.yaml": CONFIG_MAP})
    root = write(tmp_path / "repo", {**chart("good"), "ok.tf": SQS})
    os.symlink(tmp_path / "outside/cm.yaml", root / "good/templates/out.yaml")
    run = bounded_scan(root)
    assert run.code == 3
    assert "good/Chart.yaml: error: chart good: templates/out.yaml: symlink leaves the chart; not followed" in run.errors
    assert run.files == ["good/templates/cm.yaml", "ok.tf"]  # statically


def test_an_alias_bomb_in_the_configuration_is_refused_in_one_line(tmp_path):
    root = write(tmp_path / "repo", {"main.tf": SQS, ".portacheck.yaml": alias_bomb("")})
    run = bounded_scan(root)
    assert (run.code, run.errors) == (2, ["error: .portacheck.yaml:1: document expands to more than 200,000 nodes (an alias bomb?); not read"])


def test_a_pyproject_with_a_long_dotted_key_is_refused_quickly(tmp_path):
    root = write(tmp_path / "repo", {"main.tf": SQS, "pyproject.toml": "[tool.portacheck]\n" + "a" + ".a" * 40000 + " = 1\n"})
    run = bounded_scan(root)
    assert (run.code, run.errors) == (
        2, ["error: pyproject.toml: [tool.portacheck] is larger than 64 KiB or has a line longer than 4096 characters; not read"],
    )


def test_the_rest_of_a_pyproject_is_not_parsed(tmp_path):
    root = write(tmp_path / "repo", {
        "main.tf": SQS,
        "pyproject.toml": '[project]\nname = "x"\n' + "[tool.other]\n" + "a" + ".a" * 40000 + " = 1\n" + '[tool.portacheck]\nfail-on = "never"\n',
    })
    run = bounded_scan(root)  # the configuration is read; the application analyser refuses the long line
    assert (run.code, run.errors, run.files) == (3, ["pyproject.toml:4: error: a line longer than 4096 characters; not analysed"], ["main.tf"])


def test_suppression_matching_is_linear_in_the_file(tmp_path):
    block = '# portacheck:ignore[AWS-SQS] reason: legacy\nresource "aws_sqs_queue" "q{}" {{}}\n'
    root = write(tmp_path / "repo", {"big.tf": "".join(block.format(i) for i in range(20000)), "ok.tf": SNS})
    run = bounded_scan(root)  # was quadratic: 4,000 pairs took 131 s
    assert (run.code, run.errors, run.files) == (0, [], ["ok.tf"])


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe" + CONFIG_MAP.encode("utf-16-le"), b"\xfe\xff" + CONFIG_MAP.encode("utf-16-be"), ("# " + "x" * 70000 + "\n" + CONFIG_MAP).encode()],
    ids=["utf-16-le", "utf-16-be", "apiversion-after-64k"],
)
def test_manifests_the_head_did_not_show_are_read(tmp_path, content):
    root = write(tmp_path / "repo", {"cm.yaml": content.replace(b"C\x00o\x00n\x00f\x00i\x00g\x00M\x00a\x00p", b"S\x00e\x00c\x00r\x00e\x00t").replace(b"\x00C\x00o\x00n\x00f\x00i\x00g\x00M\x00a\x00p", b"\x00S\x00e\x00c\x00r\x00e\x00t").replace(b"ConfigMap", b"Secret")})
    run = bounded_scan(root)
    assert (run.code, run.errors) == (0, [])


def test_utf16_terraform_is_read_and_utf16_without_a_mark_is_not_called_binary(tmp_path):
    root = write(tmp_path / "repo", {"bom.tf": b"\xff\xfe" + SQS.encode("utf-16-le"), "nobom.tf": SNS.encode("utf-16-le")})
    run = bounded_scan(root)
    assert (run.code, run.errors, run.files) == (3, ["nobom.tf: error: not UTF-8 text (UTF-16 without a byte-order mark?); not analysed"], ["bom.tf"])


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (lambda: b"\x1f\x8bnot a tarball", "not a Helm chart archive (no <name>/Chart.yaml inside)"),
        (lambda: zeros_chart_archive(101 * 1024 * 1024), "archive unpacks to more than 100 times its size (a decompression bomb?); not analysed"),
    ],
    ids=["corrupt", "zeros"],
)
def test_a_bad_vendored_subchart_is_an_error_not_a_warning(tmp_path, archive, message):
    root = write(tmp_path / "repo", {**chart("good"), "good/charts/sub-0.1.0.tgz": archive(), "ok.tf": SQS})
    run = bounded_scan(root)
    assert run.code == 3
    assert f"good/Chart.yaml: error: chart good: good: charts/sub-0.1.0.tgz: {message}" in run.errors
    assert run.files == ["good/templates/cm.yaml", "ok.tf"]


def test_a_long_build_gradle_line_does_not_backtrack(tmp_path):
    gradle = "dependencies {\n    implementation" + " " * 300_000 + "x\n    implementation 'com.amazonaws:aws-java-sdk-s3:1.12.0'\n}\n"
    root = write(tmp_path / "repo", {"build.gradle": gradle, "ok.tf": SQS})
    run = bounded_scan(root)  # quadratic before: 100 KB took 67 s, this would take ten minutes
    assert (run.code, run.errors, run.files) == (0, [], ["build.gradle", "ok.tf"])


def test_a_renderer_crash_is_one_line_without_a_traceback():
    from portacheck.parse.helm.render import _crash_message

    stderr = 'Traceback (most recent call last):\n  File "w.py", line 3, in <module>\nValueError: bad chart\n'
    assert _crash_message(1, stderr) == "the renderer crashed (exit code 1: ValueError: bad chart)"

