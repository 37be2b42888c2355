"""The infrastructure-code control plane (issue 14, item 6): state, HCP Terraform, state keys, registries, modules."""

from __future__ import annotations

import pytest

from portacheck import scan
from portacheck.config import Config
from portacheck.errors import RuleError
from portacheck.rules.loader import bundled_rules_dir
from portacheck.sovereignty import control
from portacheck.sovereignty.control import INDEPENDENT, PROVIDER_DEPENDENT, THIRD_PARTY, UNKNOWN

from helpers import FIXTURES


def scanned(monkeypatch, name):
    """The inventory's resources and all findings of a fixture scanned with --sovereignty (which keeps the
    backend attributes this view needs); the scan's own control plane is the one built from them."""
    kept = {}
    build = scan.build

    def keep(*args, **kwargs):
        kept["inventory"] = build(*args, **kwargs)
        return kept["inventory"]

    monkeypatch.setattr(scan, "build", keep)
    assessment = scan.run([str(FIXTURES / name)], Config(sovereignty="broad"))
    findings = list(assessment.findings) + [f for f, _ in assessment.suppressed]
    assert assessment.sovereignty is not None
    assert assessment.sovereignty.control == control.view(kept["inventory"].resources, findings)
    return kept["inventory"].resources, findings


def rows(plane):
    return [(i.aspect, str(i.location), i.what, i.detail, i.controller, i.verdict) for i in plane.items]


def test_s3_backend_with_lock_table_and_kms_key(monkeypatch):
    plane = control.view(*scanned(monkeypatch, "control-s3"))
    assert rows(plane) == [
        ("state", "backend.tf:9", "s3 backend", "bucket acme-state, lock table terraform-locks", "aws", PROVIDER_DEPENDENT),
        ("state key", "backend.tf:15", "AWS KMS key of the s3 backend", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "aws", PROVIDER_DEPENDENT),
        ("provider", "backend.tf:3", "hashicorp/aws", "", "hashicorp", THIRD_PARTY),
    ]
    assert plane.autonomous is False
    assert control.lines(plane)[:2] == [
        "Infrastructure-code control plane (operational autonomy): 3 items, 2 provider-dependent, 1 third-party",
        "state: s3 backend in backend.tf:9 (bucket acme-state, lock table terraform-locks): provider-dependent, AWS: if AWS access is cut, the state and its lock cannot be read",
    ]


def test_cloud_block_is_hcp_terraform(monkeypatch):
    plane = control.view(*scanned(monkeypatch, "control-cloud"))
    assert rows(plane) == [
        ("state", "main.tf:2", "cloud block", "organization acme", "hcp-terraform", THIRD_PARTY),
        ("provider", "main.tf:11", "hashicorp/random", "", "hashicorp", THIRD_PARTY),
    ]
    assert control.lines(plane)[1] == (
        "state: cloud block in main.tf:2 (organization acme): third-party, HCP Terraform (HashiCorp): state, variables and runs "
        "live in HashiCorp's SaaS; if access is cut, the state cannot be read and no run can start"
    )


def test_local_backend_registries_and_module_sources(monkeypatch):
    plane = control.view(*scanned(monkeypatch, "control-local"))
    assert rows(plane) == [
        ("state", "main.tf:2", "local backend", "", "self", INDEPENDENT),
        ("provider", "main.tf:7", "registry.opentofu.org/hetznercloud/hcloud", "", "open", INDEPENDENT),
        ("provider", "main.tf:11", "hashicorp/random", "", "hashicorp", THIRD_PARTY),
        ("provider", "main.tf:14", "tf.acme.example/acme/internal", "", "", UNKNOWN),
        ("module", "main.tf:20", "module.network", "registry module terraform-aws-modules/vpc/aws", "hashicorp", THIRD_PARTY),
        ("module", "main.tf:25", "module.dns", "module from GitHub git::https://github.com/acme/terraform-dns.git?ref=v1.2.0", "github", THIRD_PARTY),
        ("module", "modules/app", "module.app", "local module modules/app", "self", INDEPENDENT),
    ]
    assert (plane.count(INDEPENDENT), plane.count(THIRD_PARTY), plane.count(UNKNOWN)) == (3, 3, 1)
    assert control.lines(plane)[-1] == "module: module.app in modules/app (local module modules/app): independent: its code is in this repository"


@pytest.mark.parametrize(
    ("source", "controller", "verdict"),
    [
        ("./modules/x", "self", INDEPENDENT),
        ("../shared", "self", INDEPENDENT),
        ("terraform-aws-modules/vpc/aws", "hashicorp", THIRD_PARTY),
        ("terraform-aws-modules/iam/aws//modules/iam-role", "hashicorp", THIRD_PARTY),
        ("registry.opentofu.org/acme/net/aws", "open", INDEPENDENT),
        ("app.terraform.io/acme/net/aws", "hcp-terraform", THIRD_PARTY),
        ("github.com/acme/net", "github", THIRD_PARTY),
        ("git@github.com:acme/net.git", "github", THIRD_PARTY),
        ("git::https://gitlab.com/acme/net.git", "gitlab", THIRD_PARTY),
        ("s3::https://s3-eu-west-1.amazonaws.com/acme/net.zip", "aws", PROVIDER_DEPENDENT),
        ("gcs::https://www.googleapis.com/storage/v1/acme/net.zip", "google", PROVIDER_DEPENDENT),
        ("git::https://git.acme.example/net.git", "self", UNKNOWN),
    ],
)
def test_module_sources(source, controller, verdict):
    rule = control.module_source(source, control.load_rules())
    assert (rule.controller, rule.verdict) == (controller, verdict)


def test_unrecognised_module_source_is_unknown():
    assert control.module_source("https://example.com/net.zip", control.load_rules()) is None


def test_bundled_data_loads_and_names_the_attributes_to_keep():
    assert {"dynamodb_table", "use_lockfile", "hostname", "organization"} <= control.attributes()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    verdict: provider-dependent\n      reason: if AWS access", "    verdict: cut-off\n      reason: if AWS access",
         "control_plane.backends.s3.verdict: 'cut-off' is not one of independent, provider-dependent, third-party, unknown"),
        ("      controller: aws\n      verdict: provider-dependent\n      reason: if AWS", "      controller: amazon\n      verdict: provider-dependent\n      reason: if AWS",
         "control_plane.backends.s3.controller: 'amazon' is not one of"),
        ("      shown: [bucket]\n      locks:", "      shwon: [bucket]\n      locks:", "control_plane.backends.s3.shwon: unknown field"),
        ("    default_host: registry.terraform.io", "    default_host: registry.example.com", "control_plane.registries.default_host: 'registry.example.com' is not under `hosts`"),
    ],
)
def test_bad_data_names_file_line_and_field(tmp_path, old, new, message):
    text = (bundled_rules_dir() / "operational.yaml").read_text(encoding="utf-8")
    assert old in text
    bad = text.replace(old, new, 1)
    line = bad[: bad.index(new)].count("\n") + 1 + next(i for i, part in enumerate(new.split("\n")) if part not in old.split("\n"))
    path = tmp_path / "operational.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(RuleError) as raised:
        control.load_rules(path)
    assert str(raised.value).startswith(f"{path}:{line}: {message}")
