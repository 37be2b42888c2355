"""Inline suppressions through the command line: HCL and YAML comments, the Kubernetes annotation,
mandatory reasons, expiry, unknown and stale rule ids, and --no-ignores."""

from __future__ import annotations

import datetime
import json

import pytest

from portacheck.config import Config
from portacheck.scan import run

GIT = {".git/HEAD": "ref: refs/heads/main\n"}  # stops the configuration search at the tree
ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"

DYNAMO = """\
resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
}
"""


def report(result) -> dict:
    """Active findings (P1 and up), suppressed findings with why, and notes, from a JSON report."""
    assert result.code in (0, 1), result
    data = json.loads(result.out)
    return {
        "active": [(f["rule_id"], f["file"], f["line"]) for f in data["findings"] if f["level"] != "P0"],
        "suppressed": [(f["rule_id"], f["file"], f["line"], f["suppressed_because"]) for f in data["suppressed"]],
        "notes": data["notes"],
    }


@pytest.fixture
def scan_json(fast_cli):
    def do(root, *args):
        return report(fast_cli("scan", ".", "--no-progress", "-f", "json", *args, cwd=root))

    return do


# --- HCL ---------------------------------------------------------------------------------------


def test_hcl_comment_above_a_block_covers_the_block_and_only_it(tree, fast_cli, scan_json):
    root = tree({
        **GIT,
        "main.tf": (
            "# portacheck:ignore[AWS-DYNAMODB] reason: legacy table, replaced by ScyllaDB in Q3, until: 2099-06-30\n"
            + DYNAMO
            + "\n"
            + DYNAMO.replace('"orders"', '"invoices"')
        ),
    })
    assert scan_json(root) == {
        "active": [("AWS-DYNAMODB", "main.tf", 7)],
        "suppressed": [("AWS-DYNAMODB", "main.tf", 2, "suppressed at main.tf:1: legacy table, replaced by ScyllaDB in Q3, until 2099-06-30")],
        "notes": [],
    }
    assert fast_cli("scan", ".", cwd=root).code == 1  # the second table still fails the policy


def test_hcl_comment_inside_a_block_or_on_its_header_line(tree, scan_json):
    root = tree({
        **GIT,
        "main.tf": """\
resource "aws_sqs_queue" "jobs" { # portacheck:ignore[AWS-SQS] reason: SQS API kept through Scaleway Queues
  name = "jobs"
}

resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
  attribute {
    // portacheck:ignore[AWS-DYNAMODB] reason: migrated with the orders service
    name = "id"
    type = "S"
  }
}

resource "aws_sns_topic" "events" {
  /* portacheck:ignore[AWS-SNS] reason: fan-out moves to NATS */
  name = "events"
}
""",
    })
    assert scan_json(root) == {
        "active": [],
        "suppressed": [
            ("AWS-SQS", "main.tf", 1, "suppressed at main.tf:1: SQS API kept through Scaleway Queues"),
            ("AWS-DYNAMODB", "main.tf", 5, "suppressed at main.tf:9: migrated with the orders service"),
            ("AWS-SNS", "main.tf", 15, "suppressed at main.tf:16: fan-out moves to NATS"),
        ],
        "notes": [],
    }


def test_hcl_comment_on_a_module_block_covers_what_the_module_creates(tree, scan_json):
    root = tree({
        **GIT,
        "main.tf": '# portacheck:ignore[AWS-DYNAMODB, AWS-SQS] reason: the data module moves in phase 2\nmodule "data" {\n  source = "./db"\n}\n',
        "db/main.tf": DYNAMO + 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n',
    })
    why = "suppressed at main.tf:1: the data module moves in phase 2"
    assert scan_json(root) == {
        "active": [],
        "suppressed": [("AWS-DYNAMODB", "db/main.tf", 1, why), ("AWS-SQS", "db/main.tf", 5, why)],
        "notes": [],
    }


def test_rule_globs(tree, scan_json):
    root = tree({**GIT, "main.tf": "# portacheck:ignore[AWS-*] reason: the whole stack is rebuilt\n" + DYNAMO})
    assert scan_json(root)["suppressed"] == [("AWS-DYNAMODB", "main.tf", 2, "suppressed at main.tf:1: the whole stack is rebuilt")]


# --- YAML and the annotation -------------------------------------------------------------------

DEPLOYMENT = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
        # portacheck:ignore[AWS-ECR] reason: init images are rebuilt in phase 2
        - name: migrate
          image: {ECR}/migrate:1.0
        - name: seed
          image: {ECR}/seed:1.0
      containers:
        - name: web
          image: {ECR}/web:1.0 # portacheck:ignore[AWS-ECR] reason: mirrored to Harbor
        - name: sidecar
          image: {ECR}/sidecar:1.0
---
# portacheck:ignore[AWS-ECR] reason: the batch job is retired in Q3
apiVersion: batch/v1
kind: Job
metadata:
  name: batch
spec:
  template:
    spec:
      containers:
        - name: batch
          image: {ECR}/batch:1.0
"""


def test_yaml_comment_covers_its_key_its_line_or_its_document(tree, scan_json):
    root = tree({**GIT, "k8s/app.yaml": DEPLOYMENT})
    assert scan_json(root) == {
        "active": [("AWS-ECR", "k8s/app.yaml", 13), ("AWS-ECR", "k8s/app.yaml", 18)],
        "suppressed": [
            # above a list item: that item and what is indented below it, not the next item
            ("AWS-ECR", "k8s/app.yaml", 11, "suppressed at k8s/app.yaml:9: init images are rebuilt in phase 2"),
            # at the end of a line: that key
            ("AWS-ECR", "k8s/app.yaml", 16, "suppressed at k8s/app.yaml:16: mirrored to Harbor"),
            # above the first key of a document: the document
            ("AWS-ECR", "k8s/app.yaml", 30, "suppressed at k8s/app.yaml:20: the batch job is retired in Q3"),
        ],
        "notes": [],
    }


def test_kubernetes_annotation_covers_its_object(tree, scan_json):
    annotated = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    portacheck.io/ignore: "AWS-ECR: reason: mirrored to Harbor before the move, until: 2099-01-31"
spec:
  template:
    spec:
      containers:
        - name: web
          image: {ECR}/web:1.0
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: {ECR}/api:1.0
"""
    root = tree({**GIT, "k8s/app.yaml": annotated})
    assert scan_json(root) == {
        "active": [("AWS-ECR", "k8s/app.yaml", 23)],
        "suppressed": [("AWS-ECR", "k8s/app.yaml", 12, "suppressed at k8s/app.yaml:6: mirrored to Harbor before the move, until 2099-01-31")],
        "notes": [],
    }


# --- suppressions that are not applied ---------------------------------------------------------


@pytest.mark.parametrize(
    "files, note",
    [
        (
            {"main.tf": "# portacheck:ignore[AWS-DYNAMODB]\n" + DYNAMO},
            "main.tf:1: suppression of AWS-DYNAMODB not applied: has no reason: write `reason: …` after the rule ids",
        ),
        (
            {"main.tf": "# portacheck:ignore[AWS-DYNAMODB] reason:\n" + DYNAMO},
            "main.tf:1: suppression of AWS-DYNAMODB not applied: has no reason: write `reason: …` after the rule ids",
        ),
        (
            {"main.tf": "# portacheck:ignore[AWS-DYNAMODB] until: 2099-01-01\n" + DYNAMO},
            "main.tf:1: suppression of AWS-DYNAMODB not applied: has no reason: write `reason: …` after the rule ids",
        ),
        (
            {"k8s.yaml": f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: {ECR}/c:1 # portacheck:ignore[AWS-ECR]\n"},
            "k8s.yaml:8: suppression of AWS-ECR not applied: has no reason: write `reason: …` after the rule ids",
        ),
        (
            {"k8s.yaml": f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    portacheck.io/ignore: \"AWS-ECR:\"\nspec:\n  containers:\n    - name: c\n      image: {ECR}/c:1\n"},
            "k8s.yaml:6: suppression of AWS-ECR not applied: has no reason: write `reason: …` after the rule ids",
        ),
        (
            {"main.tf": "# portacheck:ignore AWS-DYNAMODB reason: brackets forgotten\n" + DYNAMO},
            "main.tf:1: suppression not applied: malformed: expected portacheck:ignore[RULE-ID] reason: …",
        ),
        (
            {"main.tf": "# portacheck:ignore[] reason: which rule?\n" + DYNAMO},
            "main.tf:1: suppression not applied: names no rule id: write the rule ids between the brackets, e.g. [AWS-DYNAMODB]",
        ),
        (
            {"main.tf": "# portacheck:ignore[AWS-DYNAMODB] reason: soon, until: 2027-02-30\n" + DYNAMO},
            "main.tf:1: suppression of AWS-DYNAMODB not applied: until: '2027-02-30' is not a date (YYYY-MM-DD)",
        ),
    ],
    ids=["hcl-no-reason", "hcl-empty-reason", "hcl-only-until", "yaml-no-reason", "annotation-no-reason", "malformed", "no-id", "bad-date"],
)
def test_a_suppression_without_a_reason_or_malformed_is_reported_and_does_not_suppress(tree, fast_cli, scan_json, files, note):
    root = tree({**GIT, **files})
    result = scan_json(root)
    assert result["notes"] == [note]
    assert result["suppressed"] == []
    assert len(result["active"]) == 1
    text = fast_cli("scan", ".", "--no-progress", "--fail-on", "P1", cwd=root)
    assert text.code == 1
    assert f"note: {note}\n" in text.out  # the text report lists it too


def test_expired_suppression_is_reported_and_its_findings_come_back(tree, fast_cli, scan_json):
    root = tree({**GIT, "main.tf": "# portacheck:ignore[AWS-DYNAMODB] reason: was to be replaced, until: 2001-01-31\n" + DYNAMO})
    assert scan_json(root) == {
        "active": [("AWS-DYNAMODB", "main.tf", 2)],
        "suppressed": [],
        "notes": ["main.tf:1: suppression of AWS-DYNAMODB expired on 2001-01-31; its findings are reported again"],
    }
    assert fast_cli("scan", ".", cwd=root).code == 1


def test_expiry_date_is_inclusive(tree, catalogue):
    root = tree({**GIT, "main.tf": "# portacheck:ignore[AWS-DYNAMODB] reason: until the cut-over, until: 2027-06-30\n" + DYNAMO})

    def at(day: datetime.date):
        return run([str(root)], Config(jobs=1), catalogue=catalogue, today=day)

    on_the_day = at(datetime.date(2027, 6, 30))
    assert [f.rule.id for f, _why in on_the_day.suppressed] == ["AWS-DYNAMODB"] and not on_the_day.policy_failed()
    day_after = at(datetime.date(2027, 7, 1))
    assert day_after.suppressed == () and day_after.policy_failed()
    assert day_after.notes == ("main.tf:1: suppression of AWS-DYNAMODB expired on 2027-06-30; its findings are reported again",)


def test_unknown_rule_id_is_warned(tree, scan_json):
    root = tree({
        **GIT,
        "main.tf": (
            "# portacheck:ignore[AWS-DYNAMODBB] reason: typo in the id\n"
            + DYNAMO
            + '\n# portacheck:ignore[AWS-SQS, AWS-SQSS] reason: one id known, one not\nresource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n'
        ),
    })
    assert scan_json(root) == {
        "active": [("AWS-DYNAMODB", "main.tf", 2)],
        "suppressed": [("AWS-SQS", "main.tf", 8, "suppressed at main.tf:7: one id known, one not")],
        "notes": [
            "main.tf:1: suppression of AWS-DYNAMODBB: no rule AWS-DYNAMODBB (see `portacheck rules list`)",
            "main.tf:7: suppression of AWS-SQS, AWS-SQSS: no rule AWS-SQSS (see `portacheck rules list`)",
        ],
    }


def test_suppression_that_matches_nothing_is_reported_as_stale(tree, scan_json):
    root = tree({
        **GIT,
        "main.tf": '# portacheck:ignore[AWS-LAMBDA] reason: the function was removed\nresource "random_id" "suffix" {\n  byte_length = 4\n}\n',
        "k8s.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    portacheck.io/ignore: \"AWS-ECR: reason: images moved\"\ndata: {}\n",
    })
    assert scan_json(root) == {
        "active": [],
        "suppressed": [],
        "notes": [
            "k8s.yaml:6: suppression of AWS-ECR matches no finding; remove it",
            "main.tf:1: suppression of AWS-LAMBDA matches no finding; remove it",
        ],
    }


def test_text_report_says_what_is_not_shown(tree, fast_cli):
    root = tree({**GIT, "main.tf": "# portacheck:ignore[AWS-DYNAMODB] reason: legacy table\n" + DYNAMO})
    result = fast_cli("scan", ".", "--no-progress", cwd=root)
    assert result.code == 0, result
    assert "1 finding not shown: suppressed or in the baseline (--format json lists them)\n" in result.out
    assert "aws_dynamodb_table.orders" not in result.out


def test_suppressed_findings_still_count_in_the_inventory(tree, fast_cli):
    """A suppressed DynamoDB table still has to be migrated: levels, coverage and effort count it."""
    root = tree({**GIT, "main.tf": "# portacheck:ignore[AWS-DYNAMODB] reason: legacy table\n" + DYNAMO})
    suppressed = json.loads(fast_cli("scan", ".", "--no-progress", "-f", "json", cwd=root).out)
    audited = json.loads(fast_cli("scan", ".", "--no-progress", "-f", "json", "--no-ignores", cwd=root).out)
    for key in ("resources", "levels", "coverage", "effort", "by_provider", "by_category"):
        assert suppressed["summary"][key] == audited["summary"][key], key
    assert suppressed["summary"]["levels"]["P3"] == 1
    assert (suppressed["summary"]["findings"], audited["summary"]["findings"]) == (0, 1)  # active findings differ


# --- --no-ignores ------------------------------------------------------------------------------


def test_no_ignores_audits_everything(tree, fast_cli, scan_json):
    root = tree({
        **GIT,
        "main.tf": "# portacheck:ignore[AWS-DYNAMODB] reason: legacy table\n" + DYNAMO + "\n# portacheck:ignore[AWS-LAMBDA] reason: stale\n",
        "k8s/app.yaml": DEPLOYMENT,
    })
    assert len(scan_json(root)["suppressed"]) == 4
    assert fast_cli("scan", ".", "--no-progress", cwd=root).code == 0
    assert scan_json(root, "--no-ignores") == {
        "active": [
            ("AWS-ECR", "k8s/app.yaml", 11),
            ("AWS-ECR", "k8s/app.yaml", 13),
            ("AWS-ECR", "k8s/app.yaml", 16),
            ("AWS-ECR", "k8s/app.yaml", 18),
            ("AWS-ECR", "k8s/app.yaml", 30),
            ("AWS-DYNAMODB", "main.tf", 2),
        ],
        "suppressed": [],
        "notes": [],  # nothing is read, so nothing is stale
    }
    assert fast_cli("scan", ".", "--no-progress", "--no-ignores", cwd=root).code == 1


def test_only_the_named_files_suppressions_are_judged(tree, scan_json, fast_cli):
    """As pre-commit passes changed files: a stale suppression elsewhere is not this commit's news."""
    root = tree({
        **GIT,
        "app/main.tf": "# portacheck:ignore[AWS-DYNAMODB] reason: legacy table\n" + DYNAMO,
        "other/main.tf": "# portacheck:ignore[AWS-LAMBDA] reason: stale\n",
    })
    result = fast_cli("scan", "app/main.tf", "--no-progress", "-f", "json", cwd=root)
    assert report(result) == {
        "active": [],
        "suppressed": [("AWS-DYNAMODB", "app/main.tf", 2, "suppressed at app/main.tf:1: legacy table")],
        "notes": [],
    }
    assert scan_json(root)["notes"] == ["other/main.tf:1: suppression of AWS-LAMBDA matches no finding; remove it"]


def test_a_named_module_file_keeps_the_suppression_on_its_module_call(tree, fast_cli):
    """pre-commit passes only `db/main.tf`; the comment on the `module` block in the caller still applies."""
    root = tree({
        **GIT,
        "main.tf": '# portacheck:ignore[AWS-DYNAMODB] reason: the data module moves in phase 2\nmodule "data" {\n  source = "./db"\n}\n',
        "db/main.tf": DYNAMO,
    })
    result = fast_cli("scan", "db/main.tf", "--no-progress", "-f", "json", cwd=root)
    assert report(result) == {
        "active": [],
        "suppressed": [("AWS-DYNAMODB", "db/main.tf", 1, "suppressed at main.tf:1: the data module moves in phase 2")],
        "notes": [],
    }
    (root / "main.tf").write_text((root / "main.tf").read_text().replace("phase 2", "phase 2, until: 2001-01-01"))
    result = fast_cli("scan", "db/main.tf", "--no-progress", "-f", "json", cwd=root)
    assert report(result) == {  # the expired suppression is named although its file was not
        "active": [("AWS-DYNAMODB", "db/main.tf", 1)],
        "suppressed": [],
        "notes": ["main.tf:1: suppression of AWS-DYNAMODB expired on 2001-01-01; its findings are reported again"],
    }


def test_helm_values_comment_covers_the_value_it_sets(tree, fast_cli):
    root = tree({
        **GIT,
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
        "charts/web/values.yaml": f"# portacheck:ignore[AWS-ECR] reason: mirrored to Harbor before the move\nimage: {ECR}/web:1.0\n",
        "charts/web/values-prod.yaml": "# portacheck:ignore[AWS-SQS] reason: no queue here\nreplicas: 3\n",
        "charts/web/templates/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
            "      containers:\n        - name: web\n          image: {{ .Values.image }}\n"
        ),
    })
    result = fast_cli("scan", ".", "--no-progress", "-f", "json", cwd=root)
    data = json.loads(result.out)
    assert [f["rule_id"] for f in data["findings"] if f["level"] != "P0"] == []
    assert [(f["rule_id"], f["suppressed_because"]) for f in data["suppressed"]] == [
        ("AWS-ECR", "suppressed at charts/web/values.yaml:1: mirrored to Harbor before the move")
    ]
    assert data["notes"] == ["charts/web/values-prod.yaml:1: suppression of AWS-SQS matches no finding; remove it"]
