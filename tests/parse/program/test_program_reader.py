"""Program source in, imports and constructor calls out: comments and strings never look like calls."""

from __future__ import annotations

from portacheck.model import Unresolved
from portacheck.parse.program import Call, Comment, Import, read_program


def test_typescript_imports_new_and_literal_object_arguments():
    program = read_program(
        'import * as aws from "@pulumi/aws";\n'
        'import { s3 as storage } from "@pulumi/aws";\n'
        'const gcp = require("@pulumi/gcp");\n'
        '// new aws.sqs.Queue("commented")\n'
        'const t = new aws.rds.Instance("db", { engine: "aurora-postgresql", port: 5432, tags: { team: `data` }, size: cfg.size });\n'
        'const s = "new aws.sns.Topic(\'text\')";\n',
        "typescript",
    )
    assert program.imports == (
        Import("@pulumi/aws", "*", "aws", 1),
        Import("@pulumi/aws", "s3", "storage", 2),
        Import("@pulumi/gcp", "*", "gcp", 3),
    )
    news = [c for c in program.calls if c.new]
    assert news == [
        Call(("aws", "rds", "Instance"), 5, 11, ("db", {"engine": "aurora-postgresql", "port": 5432, "tags": {"team": "data"}, "size": Unresolved("cfg.size")}), (), True, 5)
    ]
    assert program.error is None


def test_python_keyword_arguments_and_nested_args_calls():
    program = read_program(
        "import pulumi_gcp as gcp\nfrom pulumi_gcp import storage as gcs\n"
        'b = gcs.Bucket("b", location="EU", versioning=gcs.BucketVersioningArgs(enabled=True))  # gcs.Bucket("c")\n',
        "python",
    )
    assert program.imports == (Import("pulumi_gcp", "*", "gcp", 1), Import("pulumi_gcp", "storage", "gcs", 2))
    bucket = program.calls[0]
    assert (bucket.callee, bucket.line, bucket.args) == (("gcs", "Bucket"), 3, ("b",))
    assert bucket.keyword("location") == "EU"
    assert bucket.keyword("versioning") == Call(("gcs", "BucketVersioningArgs"), 3, 47, (), (("enabled", True),), False, 3)


def test_go_imports_with_aliases_and_composite_literals():
    program = read_program(
        'package main\n\nimport (\n\t"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"\n'
        '\tappsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"\n)\n\n'
        'func run(ctx *pulumi.Context) {\n\tsqs.NewQueue(ctx, "q", &sqs.QueueArgs{DelaySeconds: pulumi.Int(5)})\n}\n',
        "go",
    )
    assert [i.alias for i in program.imports] == ["sqs", "appsv1"]
    queue = program.calls[0]
    assert queue.callee == ("sqs", "NewQueue")
    assert queue.args[1:] == ("q", {"DelaySeconds": Call(("pulumi", "Int"), 9, 54, (5,), (), False, 9)})


def test_a_syntax_error_is_located_and_the_rest_is_read():
    program = read_program('import * as aws from "@pulumi/aws";\nnew aws.sqs.Queue("q");\nconst x = {;\n', "typescript")
    assert program.error is not None and program.error == ("cannot parse TypeScript: missing '}'", 3, 12)
    assert [c.callee for c in program.calls] == [("aws", "sqs", "Queue")]


def test_marked_comments_cover_the_statement_after_them():
    program = read_program(
        "x = 1\n# portacheck:ignore[GCP-PUBSUB] reason: legacy\nt = gcp.pubsub.Topic(\n    'events',\n)\ny = 2  # portacheck:ignore[X] reason: y\n",
        "python",
    )
    assert program.comments == (
        Comment("[GCP-PUBSUB] reason: legacy", 2, 3, 5, True),
        Comment("[X] reason: y", 6, 6, 6, False),
    )
