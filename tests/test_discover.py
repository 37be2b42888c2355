"""Discovery: which files, relative to which root, and which findings the user asked about."""

from __future__ import annotations

from portacheck.discover import discover

from conftest import findings_table


def test_skips_vcs_provider_plugins_and_dependency_trees(tree):
    root = tree(
        {
            "main.tf": "",
            ".git/x.tf": "",
            ".terraform/providers/p/x.tf": "",
            "node_modules/m/x.tf": "",
            "infra/vars.tfvars": "",
            "README.md": "",
        }
    )
    found = [f.relpath for f in discover([str(root)]).files]
    assert found == ["infra/vars.tfvars", "main.tf"]


def test_user_excludes_by_name_and_path(tree):
    root = tree({"a/main.tf": "", "examples/x/main.tf": "", "b/skip.tf": "", "b/keep.tf": ""})
    found = [f.relpath for f in discover([str(root)], exclude=["examples", "b/skip.tf"]).files]
    assert found == ["a/main.tf", "b/keep.tf"]


def test_named_file_brings_its_module_and_focuses_the_report(tree, scan):
    root = tree(
        {
            "variables.tf": 'variable "engine" {\n  default = "aurora-mysql"\n}\n',
            "db.tf": 'resource "aws_db_instance" "db" {\n  engine = var.engine\n}\n',
            "queue.tf": 'resource "aws_sqs_queue" "q" {}\n',
        }
    )
    discovery = discover([str(root / "db.tf")], root=str(root))
    assert [f.relpath for f in discovery.files] == ["db.tf", "queue.tf", "variables.tf"]
    assert discovery.focus == {"db.tf"}
    assessment = scan(root, paths=[root / "db.tf"])
    # judged with its module (the variable's default decides the level), reported alone
    assert findings_table(assessment) == [("AWS-RDS", "db.tf", 1, "P2")]
