"""Discovery: which files, relative to which root, and which findings the user asked about."""

from __future__ import annotations

from portacheck.discover import discover
from portacheck.parse import ParseContext
from portacheck.parse.terraform import analyse

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


def test_named_file_evaluates_only_the_calls_that_lead_to_it(tree, scan, monkeypatch):
    root = tree(
        {
            "main.tf": (
                'module "app" {\n  source = "./modules/app"\n  engine = "aurora-mysql"\n}\n'
                'module "other" {\n  source = "./modules/other"\n}\n'
            ),
            "modules/app/main.tf": 'variable "engine" {}\nresource "aws_db_instance" "db" {\n  engine = var.engine\n}\n',
            "modules/other/main.tf": 'resource "aws_sqs_queue" "q" {}\n',
        }
    )
    named = root / "modules/app/main.tf"
    discovery = discover([str(named)], root=str(root))
    assert discovery.terraform_reach == {str(root), str(root / "modules/app")}
    assert discover([str(root)]).terraform_reach is None  # a directory named: every call evaluated
    context = ParseContext(root=str(root), terraform_reach=discovery.terraform_reach)
    evaluated = analyse.parse([f for f in discovery.files if f.kind == "terraform"], context)
    assert sorted(r.address for r in evaluated.resources) == ["module.app.aws_db_instance.db"]  # modules/other left out
    everything = analyse.parse([f for f in discovery.files if f.kind == "terraform"], ParseContext(root=str(root)))
    assert sorted(r.address for r in everything.resources) == ["module.app.aws_db_instance.db", "module.other.aws_sqs_queue.q"]
    # the caller's value reaches the named file as before (named from the repository's top, as pre-commit does)
    monkeypatch.chdir(root)
    assert findings_table(scan(root, paths=["modules/app/main.tf"])) == [("AWS-RDS", "modules/app/main.tf", 2, "P2")]
