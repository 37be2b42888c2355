"""Migration waves (`--format plan`): the waves for a target, grouping and bridges, effort sums."""

from __future__ import annotations

import dataclasses

import pytest

from portacheck import scan
from portacheck.config import Config
from portacheck.report import rendered
from portacheck.waves import plan

from helpers import FIXTURES, GIT, write_tree

SHOP = FIXTURES / "waves-shop"
WORKLOAD = "Deployment/orders"
GROUP = {"ServiceAccount/orders", "aws_db_instance.orders", "aws_sqs_queue.orders"}


def _assess(path, *targets):
    return scan.run([str(path)], dataclasses.replace(Config(), targets=tuple(targets)))


def _waves(result):
    return {w.number: sorted(i.resource.address for i in w.items) for w in result.waves}


EVERYTHING_BUT_SFN = sorted(["ServiceAccount/orders", WORKLOAD, "aws_db_instance.orders", "aws_sqs_queue.orders"])

# target -> (wave number of the group, (level, verdict) per resource, (low, high) of that wave)
EXPECTED = {
    "scaleway": (
        1,
        {WORKLOAD: ("P1", "ready"), "aws_db_instance.orders": ("P1", "ready"), "aws_sqs_queue.orders": ("P1", "ready")},
        (0.75, 3.1),
    ),
    "hetzner": (
        3,
        {
            WORKLOAD: ("P3", "ready with conditions"),
            "aws_db_instance.orders": ("P1", "ready with conditions"),
            "aws_sqs_queue.orders": ("P3", "ready with conditions"),
        },
        (5.5, 22.1),
    ),
    None: (
        2,
        {
            WORKLOAD: ("P2", "ready with conditions"),
            "aws_db_instance.orders": ("P1", "ready"),
            "aws_sqs_queue.orders": ("P2", "ready with conditions"),
        },
        (1.5, 7.1),
    ),
}


@pytest.mark.parametrize("target", ["scaleway", "hetzner", None])
def test_exact_waves_per_target(target):
    result = plan(_assess(SHOP, *([target] if target else [])))
    wave, levels, effort = EXPECTED[target]
    assert (result.target.key if result.target else None) == target
    expected = {n: [] for n in (1, 2, 3, 4)}
    expected[wave] = EVERYTHING_BUT_SFN
    expected[4] = ["aws_sfn_state_machine.fulfilment"]
    assert _waves(result) == expected
    items = {i.resource.address: i for w in result.waves for i in w.items}
    assert {a: (items[a].level.name, items[a].verdict_text) for a in levels} == levels
    sfn = items["aws_sfn_state_machine.fulfilment"]
    assert (sfn.level.name, sfn.verdict_text) == ("P4", "not ready" if target else "re-architecture")
    assert (result.waves[wave - 1].low, result.waves[wave - 1].high) == effort
    assert (result.waves[3].low, result.waves[3].high) == (20.0, 60.0)
    assert not any(i.bridges for i in items.values())


def test_the_workload_moves_with_its_database_queue_and_service_account():
    result = plan(_assess(SHOP, "hetzner"))
    items = {i.resource.address: i for w in result.waves for i in w.items}
    assert set(items[WORKLOAD].moves_with) == GROUP
    for address in GROUP:
        assert items[address].moves_with == [WORKLOAD]
        assert items[address].wave == items[WORKLOAD].wave
    # the database is ready with conditions on its own (wave 2) but moves with its consumer
    assert items["aws_db_instance.orders"].own_wave == 2 and items["aws_db_instance.orders"].wave == 3


def test_effort_sums_one_team_and_three_teams_in_parallel():
    result = plan(_assess(SHOP, "hetzner"))
    wave = result.waves[2]
    assert (wave.low, wave.high) == (
        round(sum(i.verdict.effort_low for i in wave.items), 2),
        round(sum(i.verdict.effort_high for i in wave.items), 2),
    )
    # 3 teams: the larger of the longest item (the queue, 5-20) and the sum / 3 (1.83-7.37)
    assert (wave.parallel_low, wave.parallel_high) == (5.0, 20.0)
    assert result.teams == 3
    generic = plan(_assess(SHOP)).waves[1]
    assert (generic.parallel_low, generic.parallel_high) == (1.0, 5.0)


BRIDGE = {
    "deploy/app.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger
spec:
  template:
    spec:
      containers:
        - name: ledger
          image: ghcr.io/example/ledger:2
          env:
            - name: DATABASE_HOST
              value: ledger.c9akciq32.eu-central-1.rds.amazonaws.com
""",
    "infra/main.tf": """\
variable "engine" {}

resource "aws_db_instance" "ledger" {
  engine = var.engine
}
""",
    **GIT,
}


def test_a_bridge_is_named_when_the_consumer_moves_before_its_store(tmp_path):
    root = write_tree(tmp_path / "bridge", BRIDGE)
    result = plan(_assess(root))
    items = {i.resource.address: i for w in result.waves for i in w.items}
    consumer, store = items["Deployment/ledger"], items["aws_db_instance.ledger"]
    assert (store.level.name, store.wave) == ("U", 4)  # the engine is unresolved: classify first
    assert consumer.wave == 1
    assert consumer.bridges == ["VPN or private link to the old Amazon RDS (DB instances) (aws_db_instance.ledger) until wave 4"]
    assert consumer.moves_with == []


def test_plan_format_renders_the_waves_as_markdown():
    text = rendered("plan", _assess(SHOP, "scaleway"))
    assert text.startswith("# Migration waves\n")
    assert "Target: Scaleway (`scaleway`)" in text
    assert (
        "| 1. Ready | Amazon RDS (DB instances) ×2, Amazon SQS, Kubernetes built-in APIs (workloads, services, config, RBAC, storage, "
        "networking, Gateway API) | 4 | 0.75–3.1 person-days | 0.25–1.03 person-days |"
    ) in text
    assert "| 2. Ready with conditions | – | 0 | 0 person-days | 0 person-days |" in text
    assert "## Wave 4: Re-architecture" in text
    assert (
        "| `aws_sfn_state_machine.fulfilment` | AWS-STEP-FUNCTIONS | terraform/main.tf:17 | P4 | not ready | 20–60 person-days | – | – |"
        in text
    )
    assert "| `Deployment/orders` | AWS-RDS | k8s/orders.yaml:6 | P1 | ready | 0.25–1 person-days |" in text


def _section(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("### Migration waves"))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith("### "))
    return lines[start:end]


TEAMS_LINE = (
    "One team works the waves in sequence; a programme of 3 teams in parallel takes the longest single item or the sum "
    "divided by 3, whichever is larger. `--format plan` lists every resource."
)


def test_the_markdown_report_shows_the_waves_at_the_first_target():
    text = rendered("markdown", _assess(SHOP, "hetzner", "scaleway"))
    assert _section(text) == [
        "### Migration waves to Hetzner (`hetzner`)",
        "",
        TEAMS_LINE,
        "",
        "| Wave | What | Resources | One team | 3 teams in parallel |",
        "|---|---|---:|---|---|",
        "| 1. Ready | – | 0 | 0 person-days | 0 person-days |",
        "| 2. Ready with conditions | – | 0 | 0 person-days | 0 person-days |",
        "| 3. Replacements | Amazon SQS ×2, Amazon RDS (DB instances), Kubernetes built-in APIs (workloads, services, config, RBAC, "
        "storage, networking, Gateway API) | 4 | 5.5–22.1 person-days | 5–20 person-days |",
        "| 4. Re-architecture | AWS Step Functions | 1 | 20–60 person-days | 20–60 person-days |",
        "| Total | | 5 | 25.5–82.1 person-days | |",
        "",
    ]


def test_the_markdown_report_names_the_bridges(tmp_path):
    root = write_tree(tmp_path / "bridge", BRIDGE)
    text = rendered("markdown", _assess(root, "scaleway"))
    assert _section(text)[-6:] == [
        "| Total | | 2 | 2.25–6 person-days | |",
        "",
        "Bridges, until the store moves:",
        "",
        "- Deployment/ledger (wave 1): VPN or private link to the old Amazon RDS (DB instances) (aws_db_instance.ledger) until wave 4",
        "",
    ]


def test_the_markdown_report_has_no_waves_without_a_target():
    assert "Migration waves" not in rendered("markdown", _assess(SHOP))

