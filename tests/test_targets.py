"""Judging against the destination being weighed: per-target levels, verdicts and the comparison.

The scans use the small catalogue (tests/data/rules-small): SQS has a same-API offer at Scaleway,
DynamoDB a functional one, S3 and Lambda none; IAM is P4. Three targets: scaleway, hetzner
(public clouds) and private (a hosting partner's platform: VMs, Kubernetes, S3-compatible storage).
"""

from __future__ import annotations

import json

import pytest

from portacheck.model import Level, ManagedOffer, Rule, Target
from portacheck.rules.loader import load_catalogue
from portacheck.targets import CONDITIONAL, NOT_READY, READY, UNKNOWN, judge_rule

from helpers import FIXTURES, SMALL_RULES, validate_sarif, write_tree

SHOP = {
    "main.tf": """\
resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "uploads"
}

resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
}

resource "aws_lambda_function" "api" {
  function_name = "api"
}

resource "aws_iam_role" "api" {
  name = "api"
}

resource "random_id" "suffix" {
  byte_length = 4
}
""",
    ".git/HEAD": "ref: refs/heads/main\n",
}

# rule -> (level, verdict) at each target
EXPECTED = {
    "scaleway": {
        "AWS-SQS": ("P1", "ready"),
        "AWS-S3": ("P1", "ready_with_conditions"),
        "AWS-DYNAMODB": ("P3", "ready_with_conditions"),
        "AWS-LAMBDA": ("P3", "ready_with_conditions"),
        "AWS-IAM": ("P4", "not_ready"),
        "TF-UTILITY": ("P0", "ready"),
    },
    "hetzner": {
        "AWS-SQS": ("P3", "ready_with_conditions"),
        "AWS-S3": ("P1", "ready_with_conditions"),
        "AWS-DYNAMODB": ("P3", "ready_with_conditions"),
        "AWS-LAMBDA": ("P3", "ready_with_conditions"),
        "AWS-IAM": ("P4", "not_ready"),
        "TF-UTILITY": ("P0", "ready"),
    },
    "private": {
        "AWS-SQS": ("P3", "ready_with_conditions"),
        "AWS-S3": ("P1", "ready"),  # the platform provides S3-compatible storage
        "AWS-DYNAMODB": ("P3", "ready_with_conditions"),
        "AWS-LAMBDA": ("P3", "ready_with_conditions"),
        "AWS-IAM": ("P4", "not_ready"),
        "TF-UTILITY": ("P0", "ready"),
    },
}


def _scan(cli, tmp_path, *args):
    root = write_tree(tmp_path / "shop", SHOP)
    result = cli("scan", str(root), "--no-config", "--format", "json", *args)
    assert result.code == 1, result  # IAM is P4: the generic policy fails at P3 either way
    return json.loads(result.out)


def _per_target(doc):
    table: dict[str, dict[str, tuple[str, str]]] = {}
    for finding in doc["findings"]:
        for key, judged in finding["targets"].items():
            table.setdefault(key, {})[finding["rule_id"]] = (judged["level"], judged["verdict"])
    return table


@pytest.mark.parametrize("target", ["scaleway", "hetzner", "private"])
def test_one_target_gives_exact_levels_and_verdicts(small_cli, tmp_path, target):
    doc = _scan(small_cli, tmp_path, "--target", target)
    assert _per_target(doc) == {target: EXPECTED[target]}
    assert [t["key"] for t in doc["summary"]["targets"]] == [target]


def test_three_targets_at_once_give_the_same_judgements_and_a_comparison(small_cli, tmp_path):
    doc = _scan(small_cli, tmp_path, "-t", "scaleway", "--target", "hetzner,private")
    assert _per_target(doc) == EXPECTED
    summary = {t["key"]: t for t in doc["summary"]["targets"]}
    assert list(summary) == ["scaleway", "hetzner", "private"]
    assert summary["scaleway"]["verdicts"] == {"ready": 2, "ready_with_conditions": 3, "not_ready": 1, "unknown": 0}
    assert summary["private"]["verdicts"] == {"ready": 2, "ready_with_conditions": 3, "not_ready": 1, "unknown": 0}
    assert summary["hetzner"]["levels"] == {"P0": 1, "P1": 1, "P2": 0, "P3": 3, "P4": 1, "U": 0}
    assert summary["scaleway"]["ready_share"] == round(5 / 6, 4)
    assert [b["rule_id"] for b in summary["hetzner"]["blockers"]] == ["AWS-IAM"]
    assert summary["hetzner"]["blockers"][0]["locations"] == [{"file": "main.tf", "line": 18}]
    # effort: the resources at their level there (SQS is a band cheaper at Scaleway) plus the target's platform
    scaleway, hetzner = summary["scaleway"]["effort"], summary["hetzner"]["effort"]
    assert scaleway["platform"] == {"low": 20.0, "high": 60.0} and hetzner["platform"] == {"low": 25.0, "high": 70.0}
    assert scaleway["low"] == 0.25 + 0.25 + 5 + 5 + 20 + 0  # SQS P1, S3 P1, DynamoDB L, Lambda L, IAM XL, random
    assert hetzner["low"] == 5 + 0.25 + 5 + 5 + 20 + 0
    assert scaleway["total"] == {"low": scaleway["low"] + 20, "high": scaleway["high"] + 60}
    assert summary["scaleway"]["display"].startswith("Scaleway: 83% of 6 resources ready or ready with conditions")
    assert summary["scaleway"]["display"].endswith("blocked by AWS IAM (1)")


def test_the_generic_verdict_is_unchanged_without_a_target(small_cli, tmp_path):
    plain = _scan(small_cli, tmp_path)
    targeted = _scan(small_cli, tmp_path, "--target", "hetzner")
    assert [(f["rule_id"], f["level"]) for f in plain["findings"]] == [(f["rule_id"], f["level"]) for f in targeted["findings"]]
    assert plain["summary"]["levels"] == targeted["summary"]["levels"]
    assert plain["summary"]["effort"] == targeted["summary"]["effort"]
    assert plain["summary"]["targets"] == [] and all(f["targets"] == {} for f in plain["findings"])
    # without --target, one line names the European target with the least effort
    nearest = plain["summary"]["nearest_target"]
    assert nearest["key"] == "scaleway"
    text = small_cli("scan", str(tmp_path / "shop"), "--no-config")
    assert "Least effort among the catalogue's European targets: Scaleway (--target scaleway)" in text.out


def test_every_format_carries_the_judgements(small_cli, tmp_path):
    root = write_tree(tmp_path / "shop", SHOP)
    args = ("scan", str(root), "--no-config", "-t", "scaleway", "-t", "hetzner")
    text = small_cli(*args).out
    assert "Targets (readiness of the deployed resources" in text
    assert "    Scaleway: 83% of 6 resources ready or ready with conditions (2 ready, 3 with conditions, 1 not ready)" in text
    assert "    at scaleway: P1 ready: re-point to Queues (SQS API) (same-api; scaleway_mnq_sqs_queue, as of 2026-08-21)\n" in text
    assert "    at hetzner: P3 ready with conditions: no managed offer at Hetzner: run RabbitMQ yourself and adapt the integration\n" in text
    markdown = small_cli(*args, "-f", "markdown").out
    assert "| Target | Ready | With conditions | Not ready | Unknown | Workloads ready | Effort with platform | Blocked by |" in markdown
    assert "| Scaleway (`scaleway`) | 2 | 3 | 1 | 0 | – |" in markdown
    compact = small_cli(*args, "-f", "compact").out
    assert "main.tf:1:1: P2 AWS-SQS Amazon SQS: aws_sqs_queue.jobs [scaleway P1 ready; hetzner P3 ready with conditions]" in compact
    assert any(line.startswith("target hetzner: Hetzner: 83%") for line in compact.splitlines())
    sarif = json.loads(small_cli(*args, "-f", "sarif").out)
    validate_sarif(sarif)
    run = sarif["runs"][0]
    assert run["properties"]["targets"]["hetzner"]["blockers"] == ["AWS-IAM"]
    sqs = next(r for r in run["results"] if r["ruleId"] == "AWS-SQS")
    assert sqs["properties"]["targets"]["scaleway"] == {"level": "P1", "verdict": "ready", "condition": "re-point to Queues (SQS API)"}
    junit = small_cli(*args, "-f", "junit").out
    assert "target scaleway: Scaleway: 83%" in junit and "at hetzner: P3 ready with conditions" in junit
    gitlab = json.loads(small_cli(*args, "-f", "gitlab").out)
    body = next(i for i in gitlab if i["check_name"] == "AWS-SQS")["content"]["body"]
    assert "- scaleway: P1 ready: re-point to Queues (SQS API)" in body


def test_targets_from_the_configuration_and_unknown_keys(small_cli, tmp_path):
    root = write_tree(tmp_path / "shop", {**SHOP, ".portacheck.yaml": "targets: [private]\n"})
    doc = json.loads(small_cli("scan", str(root), "-f", "json").out)
    assert [t["key"] for t in doc["summary"]["targets"]] == ["private"]
    flag = json.loads(small_cli("scan", str(root), "-f", "json", "--target", "hetzner").out)
    assert [t["key"] for t in flag["summary"]["targets"]] == ["hetzner"]  # the flag replaces the file's list
    wrong = small_cli("scan", str(root), "--target", "hetzer")
    assert wrong.code == 2
    assert wrong.err == "portacheck: error: --target: no target 'hetzer'; did you mean 'hetzner'? known targets: scaleway, hetzner, private\n"
    (root / ".portacheck.yaml").write_text("fail-on: P3\ntargets: [scaleway, azure]\n")
    wrong = small_cli("scan", str(root))
    assert wrong.code == 2
    assert wrong.err.endswith(".portacheck.yaml:2: targets: no target 'azure'; known targets: scaleway, hetzner, private\n")


def test_targets_command_lists_and_shows(small_cli):
    listed = small_cli("targets")
    assert listed.code == 0
    assert [line.split()[0] for line in listed.out.splitlines()] == ["scaleway", "hetzner", "private"]
    shown = small_cli("targets", "private")
    assert "provides object-storage: S3-compatible object storage" in shown.out
    assert small_cli("targets", "azure").code == 2
    facts = json.loads(small_cli("targets", "-f", "json").out)
    assert [(t["key"], t["offers"]) for t in facts] == [("scaleway", 2), ("hetzner", 0), ("private", 0)]


# --- the judgement itself, rule by rule ---------------------------------------------------------

SCALEWAY = Target("scaleway", "Scaleway", "provider", providers=("scaleway",), terraform_prefixes=("scaleway_",))
PRIVATE = Target("private", "Private platform", "private", platform={"object-storage": "S3-compatible object storage"})


def _rule(level: Level, provider: str = "aws", category: str = "messaging", **extra) -> Rule:
    return Rule("X-ONE", provider, "Service", category, level, "Because.", "M", {"terraform": ("x_*",)}, "x.yaml", **extra)


@pytest.mark.parametrize(
    ("rule", "level", "target", "expected"),
    [
        pytest.param(_rule(Level.P2, managed=(ManagedOffer("scaleway", "Q", "scaleway_q", "same-api", "2026-08-21"),)), Level.P2, SCALEWAY, (Level.P1, READY), id="same-api-offer"),
        pytest.param(_rule(Level.P2, managed=(ManagedOffer("scaleway", "Q", "scaleway_q", "compatible", "2026-08-21"),)), Level.P2, SCALEWAY, (Level.P2, CONDITIONAL), id="compatible-offer"),
        pytest.param(_rule(Level.P1, managed=(ManagedOffer("scaleway", "Q", "scaleway_q", "functional", "2026-08-21"),)), Level.P1, SCALEWAY, (Level.P3, CONDITIONAL), id="functional-offer-raises"),
        pytest.param(_rule(Level.P4, managed=(ManagedOffer("scaleway", "Q", "scaleway_q", "same-api", "2026-08-21"),)), Level.P4, SCALEWAY, (Level.P4, NOT_READY), id="p4-stays-p4"),
        pytest.param(_rule(Level.P2, managed=(ManagedOffer("scaleway", "Q", "scaleway_q", "same-api", "2026-08-21"),)), Level.P3, SCALEWAY, (Level.P3, CONDITIONAL), id="condition-raised-level-holds"),
        pytest.param(_rule(Level.P2, provider="scaleway"), Level.P2, SCALEWAY, (Level.P0, READY), id="own-service-stays"),
        pytest.param(_rule(Level.P2, open_source=("RabbitMQ",)), Level.U, SCALEWAY, (Level.U, UNKNOWN), id="unknown-stays-unknown"),
        pytest.param(_rule(Level.P2), Level.P2, SCALEWAY, (Level.P3, NOT_READY), id="nothing-anywhere"),
        pytest.param(_rule(Level.P2, open_source=("RabbitMQ",), self_run=Level.P2), Level.P2, PRIVATE, (Level.P2, CONDITIONAL), id="self-run-level"),
        pytest.param(_rule(Level.P1, category="object-storage"), Level.P1, PRIVATE, (Level.P1, READY), id="platform-provides"),
        pytest.param(_rule(Level.P1, open_source=("MinIO",)), Level.P1, PRIVATE, (Level.P1, CONDITIONAL), id="self-run-p1"),
        pytest.param(_rule(Level.P0), Level.P0, PRIVATE, (Level.P0, READY), id="neutral"),
    ],
)
def test_judgement(rule, level, target, expected):
    judgement = judge_rule(rule, level, target)
    assert (judgement.level, judgement.verdict) == expected
    assert judgement.condition or judgement.verdict == READY  # a condition or blocker is always named


def test_the_small_catalogue_declares_three_targets():
    assert list(load_catalogue([SMALL_RULES], include_bundled=False).targets) == ["scaleway", "hetzner", "private"]


# --- the bundled catalogue on fixtures/targets-shop ---------------------------------------------

SHOP_FIXTURE = FIXTURES / "targets-shop"
# (rule, resource) -> (level, verdict) at each target, from the bundled offers
SHOP_EXPECTED = {
    "scaleway": {
        ("AWS-SQS", "aws_sqs_queue.jobs"): ("P1", "ready"),  # Scaleway Queues speaks the SQS API
        ("AWS-S3", "aws_s3_bucket.uploads"): ("P1", "ready"),
        ("AWS-DYNAMODB", "aws_dynamodb_table.orders"): ("P3", "ready_with_conditions"),  # Managed MongoDB: functional
        ("AWS-RDS", "aws_db_instance.reports"): ("P1", "ready"),
        ("AWS-EKS", "aws_eks_cluster.main"): ("P1", "ready"),  # Kapsule
        ("AWS-STEP-FUNCTIONS", "aws_sfn_state_machine.checkout"): ("P4", "not_ready"),
    },
    "hetzner": {
        ("AWS-SQS", "aws_sqs_queue.jobs"): ("P3", "ready_with_conditions"),  # no queue service: RabbitMQ or NATS, run by the team
        ("AWS-S3", "aws_s3_bucket.uploads"): ("P1", "ready"),  # Hetzner Object Storage (S3 API)
        ("AWS-DYNAMODB", "aws_dynamodb_table.orders"): ("P2", "ready_with_conditions"),  # self-run ScyllaDB Alternator
        ("AWS-RDS", "aws_db_instance.reports"): ("P1", "ready_with_conditions"),  # self-run PostgreSQL
        ("AWS-EKS", "aws_eks_cluster.main"): ("P1", "ready_with_conditions"),  # no managed Kubernetes
        ("AWS-STEP-FUNCTIONS", "aws_sfn_state_machine.checkout"): ("P4", "not_ready"),
    },
    "private": {
        ("AWS-SQS", "aws_sqs_queue.jobs"): ("P3", "ready_with_conditions"),
        ("AWS-S3", "aws_s3_bucket.uploads"): ("P1", "ready"),  # the platform's S3-compatible storage
        ("AWS-DYNAMODB", "aws_dynamodb_table.orders"): ("P2", "ready_with_conditions"),
        ("AWS-RDS", "aws_db_instance.reports"): ("P1", "ready_with_conditions"),
        ("AWS-EKS", "aws_eks_cluster.main"): ("P1", "ready"),  # the platform's Kubernetes
        ("AWS-STEP-FUNCTIONS", "aws_sfn_state_machine.checkout"): ("P4", "not_ready"),
    },
}


def _shop(fast_cli, *targets):
    args = [a for t in targets for a in ("--target", t)]
    result = fast_cli("scan", str(SHOP_FIXTURE), "--no-config", "-f", "json", *args)
    assert result.code == 1, result  # Step Functions is P4
    doc = json.loads(result.out)
    table: dict[str, dict[tuple[str, str], tuple[str, str]]] = {}
    for finding in doc["findings"]:
        for key, judged in finding["targets"].items():
            table.setdefault(key, {})[(finding["rule_id"], finding["resource"]["address"])] = (judged["level"], judged["verdict"])
    return doc, table


@pytest.mark.parametrize("target", ["scaleway", "hetzner", "private"])
def test_bundled_offers_judge_the_shop_at_each_target(fast_cli, target):
    _doc, table = _shop(fast_cli, target)
    assert table == {target: SHOP_EXPECTED[target]}


def test_bundled_offers_compare_three_targets(fast_cli):
    doc, table = _shop(fast_cli, "scaleway", "hetzner", "private")
    assert table == SHOP_EXPECTED
    lines = [t["display"] for t in doc["summary"]["targets"]]
    assert lines == [
        "Scaleway: 83% of 6 resources ready or ready with conditions (4 ready, 1 with conditions, 1 not ready); "
        "46–144 person-days including 20–60 person-days of platform work; blocked by AWS Step Functions (1)",
        "Hetzner: 83% of 6 resources ready or ready with conditions (1 ready, 4 with conditions, 1 not ready); "
        "52–158 person-days including 25–70 person-days of platform work; blocked by AWS Step Functions (1)",
        "Private platform (hosting partner): 83% of 6 resources ready or ready with conditions (2 ready, 3 with conditions, 1 not ready); "
        "67–188 person-days including 40–100 person-days of platform work; blocked by AWS Step Functions (1)",
    ]
    generic = json.loads(fast_cli("scan", str(SHOP_FIXTURE), "--no-config", "-f", "json").out)
    assert [(f["rule_id"], f["level"]) for f in generic["findings"]] == [(f["rule_id"], f["level"]) for f in doc["findings"]]


def test_rules_show_aws_sqs_names_the_level_at_scaleway_and_hetzner_with_evidence(cli):
    shown = cli("rules", "show", "AWS-SQS").out
    assert "    scaleway   P1 ready: re-point to Queues (SQS API) (same-api; scaleway_mnq_sqs_queue, as of 2026-08-21)\n" in shown
    assert "    hetzner    P3 ready with conditions: no managed offer at Hetzner: run RabbitMQ, NATS JetStream yourself and adapt the integration\n" in shown


def test_the_example_in_docs_targets_is_real_output(fast_cli):
    out = fast_cli("scan", str(SHOP_FIXTURE), "--no-config", "-t", "scaleway", "-t", "hetzner", "-t", "private").out
    doc = (FIXTURES.parent / "docs" / "targets.md").read_text(encoding="utf-8")
    shown = [line for line in doc.splitlines() if line.startswith("    ") and "% of 6 resources" in line]
    assert len(shown) == 3
    assert all(line in out.splitlines() for line in shown)
