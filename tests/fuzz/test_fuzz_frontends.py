"""Property: every frontend's entry point turns any file into a ParseResult, never an exception.

Inputs are valid seeds of each format cut at a random place with random structural text spliced in.
Fixed example counts and derandomize=True keep CI deterministic and brief. For a campaign set
PORTACHECK_FUZZ_EXAMPLES (e.g. 20000): the examples are then drawn at random, a new draw each run
(`--hypothesis-seed=N` repeats one), and Helm, whose examples each start a render, gets a fifth of them.
Or use fuzz/atheris_harness.py (docs/security.md).
"""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portacheck.model import ParseResult, SourceFile
from portacheck.parse import ParseContext, registry

EXAMPLES = int(os.environ.get("PORTACHECK_FUZZ_EXAMPLES", "25"))
CAMPAIGN = "PORTACHECK_FUZZ_EXAMPLES" in os.environ  # random draws instead of CI's fixed ones

SEEDS: dict[str, tuple[str, str]] = {  # frontend -> (file name, a valid file)
    "terraform": ("main.tf", 'locals {\n  l = [for s in var.l : upper(s)]\n  n = tonumber("1")\n}\n'
                  'resource "aws_sqs_queue" "q" {\n  name = "${local.l[0]}-q" # portacheck:ignore[AWS-SQS] reason: x\n}\n'),
    "cloudformation": ("template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"
                       "    Properties:\n      QueueName: !Sub '${AWS::StackName}-q'\n"),
    "kubernetes": ("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    a: &x [1, 2]\ndata:\n  k: *x\n"),
    "pipelines": (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n"),
    "bicep": ("main.bicep", "param n string\nresource s 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name: n\n  location: 'x'\n}\n"),
    "arm": ("azuredeploy.json", '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",'
            ' "resources": [{"type": "Microsoft.Storage/storageAccounts", "name": "[parameters(\'n\')]"}]}'),
    "application": ("requirements.txt", "boto3==1.34.0\nrequests>=2\n"),
    "helm": ("chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n  - name: d\n    version: 1.0.0\n"),
}
STRUCTURE = st.text(alphabet=st.sampled_from(list("{}[]()\"'$:=-!&*#|>\n\t ,.0123456789aZ\\\x00\u00e9\ufeff")), max_size=40)


def _mutate(seed: str):
    return st.tuples(st.integers(0, len(seed)), st.integers(0, len(seed)), STRUCTURE).map(
        lambda cut: seed[: min(cut[0], cut[1])] + cut[2] + seed[max(cut[0], cut[1]) :]
    )


def _parse(name: str, rel: str, content: str | bytes) -> ParseResult:
    frontend = registry.BY_NAME[name]
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
        if name == "helm":
            os.makedirs(os.path.join(root, "chart", "templates"))
        return frontend.parse([SourceFile(path, rel, name)], ParseContext(root=root, jobs=1), frontend.options())


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_frontend_survives_mutated_input(name):
    rel, seed = SEEDS[name]

    @settings(max_examples=EXAMPLES if name != "helm" else max(5, EXAMPLES // 5), derandomize=not CAMPAIGN, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(_mutate(seed))
    def check(text):
        assert isinstance(_parse(name, rel, text), ParseResult)

    check()


@settings(max_examples=EXAMPLES, derandomize=not CAMPAIGN, deadline=None)
@given(st.binary(max_size=200))
def test_terraform_survives_any_bytes(data):
    assert isinstance(_parse("terraform", "main.tf", data), ParseResult)
