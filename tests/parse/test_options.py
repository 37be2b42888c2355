"""Each format's options are declared once; flags, configuration sections and `config show` follow."""

from __future__ import annotations

import dataclasses

import pytest

from portacheck.config import Config
from portacheck.parse.options import NoOptions, Option, OptionError, check_value, declared, merge, option
from portacheck.parse.registry import FRONTENDS


@dataclasses.dataclass(frozen=True)
class Example:
    files: tuple[str, ...] = option((), key="files", flag="--x-file", kind="files", help="h")
    mode: str = option("fast", key="mode", flag="--x-mode", kind="choice", choices=("fast", "slow"), help="h")
    limit: float = option(30.0, key="limit", kind="number", minimum=1, help="h")


def test_declared_lists_the_options_in_order():
    assert [(name, spec.key, spec.flag) for name, spec in declared(Example)] == [
        ("files", "files", "--x-file"),
        ("mode", "mode", "--x-mode"),
        ("limit", "limit", ""),
    ]
    assert declared(NoOptions) == []


def test_values_are_checked_and_paths_made_absolute(tmp_path):
    (tmp_path / "a.tfvars").write_text("")
    spec = dict(declared(Example))
    assert check_value(spec["files"], "a.tfvars", str(tmp_path)) == (str(tmp_path / "a.tfvars"),)
    assert check_value(spec["mode"], "slow", "") == "slow"
    assert check_value(spec["limit"], 5, "") == 5.0


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("files", "missing.tfvars", "missing.tfvars: no such file"),
        ("files", [1], "expected a list of non-empty strings"),
        ("mode", "medium", "choose fast, slow"),
        ("limit", "5", "expected a number, not '5'"),
        ("limit", 0.5, "0.5 is below the minimum 1"),
    ],
)
def test_bad_values_say_why(tmp_path, name, value, message):
    with pytest.raises(OptionError) as caught:
        check_value(dict(declared(Example))[name], value, str(tmp_path))
    assert caught.value.message == message


def test_later_layers_win_scalars_and_add_to_lists():
    merged = merge(Example, {"files": ("/a",), "mode": "slow"}, {"files": ("/b",), "mode": None, "limit": 9.0})
    assert merged == Example(files=("/a", "/b"), mode="slow", limit=9.0)


def test_every_frontend_declares_its_options_as_a_frozen_dataclass_with_unique_flags():
    flags = [spec.flag for f in FRONTENDS for _name, spec in declared(f.options) if spec.flag]
    assert len(flags) == len(set(flags))
    for frontend in FRONTENDS:
        assert dataclasses.is_dataclass(frontend.options) and frontend.options.__dataclass_params__.frozen
        frontend.options()  # every option has a default
        assert all(isinstance(spec, Option) and spec.help for _name, spec in declared(frontend.options))


def test_every_flag_is_a_flag_of_scan_and_of_baseline_create(cli):
    flags = {spec.flag for f in FRONTENDS for _name, spec in declared(f.options) if spec.flag}
    for command in (("scan",), ("baseline", "create")):
        help_text = cli(*command, "--help").out
        assert [flag for flag in sorted(flags) if flag not in help_text] == []


def test_configuration_sections_and_flags_meet_in_one_options_value(cli, tree):
    root = tree(
        {
            ".portacheck.yaml": "terraform:\n  var-files: [a.tfvars]\nhelm:\n  renderer: static\n  timeout: 5\n",
            "a.tfvars": "",
            "b.tfvars": "",
            "main.tf": "",
        }
    )
    result = cli("config", "show", cwd=root)
    assert result.code == 0, result.err
    assert f"terraform:\n  var-files: [{root / 'a.tfvars'}]\nhelm:\n  renderer: static\n  timeout: 5\n" in result.out


def test_the_top_level_var_files_key_still_sets_the_terraform_option(cli, tree):
    root = tree({".portacheck.yaml": "var-files: [a.tfvars]\n", "a.tfvars": ""})
    assert f"terraform:\n  var-files: [{root / 'a.tfvars'}]\n" in cli("config", "show", cwd=root).out


@pytest.mark.parametrize(
    "text, message",
    [
        ("helm:\n  renderer: fancy\n", ".portacheck.yaml:2: helm.renderer: choose auto, sdk, binary, static"),
        ("helm:\n  timeout: 0\n", ".portacheck.yaml:2: helm.timeout: 0 is below the minimum 0.1"),
        ("helm:\n  set: [novalue]\n", ".portacheck.yaml:2: helm.set: 'novalue' is not key=value"),
        ("terraform: [a.tfvars]\n", ".portacheck.yaml:1: terraform: expected a mapping with `var-files:`, `include-undeployed:`, not a list"),
        ("terraform:\n  var_files: [a]\n", ".portacheck.yaml:2: terraform.var_files: unknown key (did you mean 'var-files'?); expected one of: var-files, include-undeployed"),
    ],
)
def test_bad_options_in_the_file_name_file_line_and_key(cli, tree, text, message):
    root = tree({".portacheck.yaml": text})
    result = cli("config", "show", cwd=root)
    assert (result.code, result.err) == (2, f"portacheck: error: {message}\n")


def test_config_options_default_to_the_frontends_defaults():
    config = Config()
    for frontend in FRONTENDS:
        assert config.options(frontend.name) == frontend.options()
