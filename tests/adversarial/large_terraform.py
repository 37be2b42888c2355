"""A large, realistic Terraform file: variables, locals that refer to each other, resources with
nested blocks, tags, count and for_each, interpolations and comments, repeated up to a size."""

from __future__ import annotations

_HEAD = '''variable "environment" {
  type    = string
  default = "prod"
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

locals {
  common_tags = {
    environment = var.environment
    managed_by  = "terraform"
  }
}
'''

_UNIT = '''# service {n}: queue, table, bucket and a function
locals {{
  name_{n}    = "svc-{n}-${{var.environment}}"
  subnets_{n} = ["10.{a}.{b}.0/24", "10.{a}.{c}.0/24"]
  tags_{n}    = merge(local.common_tags, {{ service = local.name_{n}, index = "{n}" }})
  sizes_{n}   = {{ small = 1, large = {n} % 7 + 2 }}
}}

resource "aws_sqs_queue" "q_{n}" {{
  name                      = "${{local.name_{n}}}-queue"
  message_retention_seconds = 86400
  tags                      = local.tags_{n}
}}

resource "aws_dynamodb_table" "t_{n}" {{
  name         = "${{local.name_{n}}}-table"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {{
    name = "id"
    type = "S"
  }}

  tags = local.tags_{n}
}}

resource "aws_s3_bucket" "b_{n}" {{
  count  = var.environment == "prod" ? 1 : 0
  bucket = lower("${{local.name_{n}}}-${{var.region}}-data")
  tags   = local.tags_{n}
}}

resource "aws_lambda_function" "f_{n}" {{
  for_each      = local.sizes_{n}
  function_name = "${{local.name_{n}}}-${{each.key}}"
  role          = "arn:aws:iam::123456789012:role/svc-{n}"
  handler       = "index.handler"
  runtime       = "python3.12"
  memory_size   = 128 * each.value

  environment {{
    variables = {{
      QUEUE_URL = aws_sqs_queue.q_{n}.url
      TABLE     = aws_dynamodb_table.t_{n}.name
      ENDPOINT  = "https://sqs.${{var.region}}.amazonaws.com/123456789012/${{local.name_{n}}}"
    }}
  }}

  vpc_config {{
    subnet_ids         = [for s in local.subnets_{n} : s]
    security_group_ids = []
  }}
}}

'''


def large_terraform(size: int) -> str:
    """At least `size` bytes (ASCII) of valid HCL, in units of four resources and a locals block."""
    parts = [_HEAD]
    total = len(_HEAD)
    n = 0
    while total < size:
        unit = _UNIT.format(n=n, a=n // 256 % 256, b=n % 256, c=(n + 128) % 256)
        parts.append(unit)
        total += len(unit)
        n += 1
    return "".join(parts)
