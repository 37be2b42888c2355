"""The rule loader's errors: one bad file per error branch, the message asserted verbatim (file, line, rule, field)."""

from __future__ import annotations

import pytest

from portacheck.errors import RuleError
from portacheck.rules.loader import MATCH_KINDS, load_catalogue

PROVIDERS = "providers:\n  acme:\n    name: Acme Cloud\n    kind: european\n"
RULE = (
    "rules:\n"
    "  - id: ACME-QUEUE\n"
    "    provider: acme\n"
    "    service: Acme Queue\n"
    "    category: messaging\n"
    "    level: P2\n"
    "    why: Acme's queue speaks AMQP with a few extensions.\n"
    "    match:\n"
    "      terraform: [acme_queue]\n"
)


def rule(old: str = "", new: str = "") -> str:
    """RULE with one line replaced (or, with `old` empty, `new` appended to the rule)."""
    if not old:
        return RULE + new
    assert old in RULE, old
    return RULE.replace(old, new)


TARGETS = """\
targets:
  ovh:
    name: OVHcloud
    kind: provider
    terraform_prefixes: [ovh_]
    platform_cost: [20, 60]
"""


# A rules directory holding providers.yaml (PROVIDERS) and these files -> the error; {dir} is the directory.
CASES = [
    pytest.param(
        {"q.yaml": b"rules: \xff\n"},
        "{dir}/q.yaml: cannot read rule file: 'utf-8' codec can't decode byte 0xff in position 7: invalid start byte",
        id="unreadable",
    ),
    pytest.param(
        {"q.yaml": "rules: [\n"},
        '{dir}/q.yaml:2: invalid YAML: did not find expected node content',
        id="yaml-syntax",
    ),
    pytest.param(
        {"q.yaml": "- a\n- b\n"},
        '{dir}/q.yaml: expected a mapping with `rules:` or `providers:` at the top',
        id="not-a-mapping",
    ),
    pytest.param(
        {"q.yaml": RULE + "extra: 1\n"},
        "{dir}/q.yaml:10: unknown top-level key 'extra' (expected rules, signals, providers, provider, targets, profiles, key_custody, control_plane, identity_logs)",
        id="unknown-top-level-key",
    ),
    pytest.param(
        {"providers.yaml": "providers: [acme]\n"},
        '{dir}/providers.yaml:1: providers: expected a mapping of provider keys',
        id="providers-not-a-mapping",
    ),
    pytest.param(
        {"providers.yaml": "providers:\n  acme: Acme\n"},
        '{dir}/providers.yaml:2: provider acme: expected a mapping',
        id="provider-not-a-mapping",
    ),
    pytest.param(
        {"providers.yaml": PROVIDERS + "    colour: blue\n"},
        '{dir}/providers.yaml:5: provider acme: colour: unknown field (allowed: domains, eu_headquartered, headquarters, kind, name, non_eu_parent, notes, ownership, ownership_as_of, partitions, regions, regions_as_of, regions_sources, sources, terraform_prefix, terraform_sources)',
        id="provider-unknown-key",
    ),
    pytest.param(
        {"providers.yaml": PROVIDERS + "    eu_headquartered: yes please\n"},
        '{dir}/providers.yaml:5: provider acme: eu_headquartered: expected true or false',
        id="provider-eu-not-bool",
    ),
    pytest.param(
        {"providers.yaml": PROVIDERS.replace("european", "local")},
        "{dir}/providers.yaml:4: provider acme: kind: 'local' is not one of hyperscaler, european, neutral, saas, other",
        id="provider-bad-kind",
    ),
    pytest.param(
        {"providers.yaml": PROVIDERS.replace("    name: Acme Cloud\n", "")},
        "{dir}/providers.yaml:3: provider acme: missing required field 'name'",
        id="provider-missing-name",
    ),
    pytest.param(
        {"providers.yaml": PROVIDERS + "    regions: [fr-par]\n"},
        '{dir}/providers.yaml:5: provider acme: regions: expected a mapping of eu, eea, outside-eu to region names',
        id="provider-regions-not-a-mapping",
    ),
    pytest.param(
        {"providers.yaml": PROVIDERS + "    regions:\n      europe: [fr-par]\n"},
        '{dir}/providers.yaml:6: provider acme: regions: europe: unknown field (allowed: eea, eu, outside-eu)',
        id="provider-regions-unknown-class",
    ),
    pytest.param(
        {"q.yaml": RULE + "signals: {rule: ACME-QUEUE}\n"},
        '{dir}/q.yaml:10: signals: expected a list of {rule, match}',
        id="signals-not-a-list",
    ),
    pytest.param(
        {"q.yaml": RULE + "signals: [ACME-QUEUE]\n"},
        '{dir}/q.yaml: signals[0]: expected a mapping with rule and match',
        id="signals-item-not-a-mapping",
    ),
    pytest.param(
        {"q.yaml": RULE + "signals:\n  - rule: ACME-QUEUE\n    level: P1\n    match: {k8s_kind: [acme.io/Queue]}\n"},
        '{dir}/q.yaml:12: signals[0]: level: unknown field (allowed: match, rule)',
        id="signals-unknown-key",
    ),
    pytest.param(
        {"q.yaml": RULE + "signals:\n  - rule: ACME-TOPIC\n    match: {k8s_kind: [acme.io/Topic]}\n"},
        "{dir}/q.yaml:11: signals: rule 'ACME-TOPIC' does not exist",
        id="signals-unknown-rule",
    ),
    pytest.param(
        {"q.yaml": "rules: {id: ACME-QUEUE}\n"},
        '{dir}/q.yaml:1: rules: expected a list of rules',
        id="rules-not-a-list",
    ),
    pytest.param(
        {"q.yaml": "rules: [ACME-QUEUE]\n"},
        '{dir}/q.yaml: rules[0]: expected a mapping',
        id="rule-not-a-mapping",
    ),
    pytest.param(
        {"q.yaml": rule("    level: P2\n", "    level: P2\n    severity: high\n")},
        '{dir}/q.yaml:7: rule ACME-QUEUE: severity: unknown field (allowed: category, conditions, confidence, effort, effort_why, examples, id, level, managed, match, notes, open_source, priority, provider, self_run, service, standard, why)',
        id="unknown-field",
    ),
    pytest.param(
        {"q.yaml": rule("  - id: ACME-QUEUE\n    provider: acme\n", "  - provider: acme\n")},
        "{dir}/q.yaml:2: rule rules[0]: missing required field 'id'",
        id="missing-id",
    ),
    pytest.param(
        {"q.yaml": rule("id: ACME-QUEUE", "id: acme_queue")},
        "{dir}/q.yaml:2: rule acme_queue: id: 'acme_queue' must be upper case letters, digits and dashes",
        id="bad-id",
    ),
    pytest.param(
        {"q.yaml": rule("level: P2", "level: P7")},
        "{dir}/q.yaml:6: rule ACME-QUEUE: level: 'P7' is not a level (expected one of P0, P1, P2, P3, P4, U)",
        id="bad-level",
    ),
    pytest.param(
        {"q.yaml": rule("    level: P2\n", "")},
        "{dir}/q.yaml:2: rule ACME-QUEUE: missing required field 'level'",
        id="missing-level",
    ),
    pytest.param(
        {"q.yaml": rule("category: messaging", "category: queues")},
        "{dir}/q.yaml:5: rule ACME-QUEUE: category: 'queues' is not one of compute, kubernetes, serverless, containers, object-storage, block-storage, file-storage, relational-db, nosql-db, cache, messaging, streaming, workflow, api-gateway, identity, secrets-kms, dns, cdn, load-balancing, networking, observability, analytics, ai-ml, email, registry, security, management, devtools, iot, backup, other",
        id="bad-category",
    ),
    pytest.param(
        {"q.yaml": rule("", "    effort: XXL\n")},
        "{dir}/q.yaml:10: rule ACME-QUEUE: effort: 'XXL' is not one of none, S, M, L, XL, ?",
        id="bad-effort-band",
    ),
    pytest.param(
        {"q.yaml": rule("", "    effort: XL\n")},
        "{dir}/q.yaml:10: rule ACME-QUEUE: effort: band 'XL' does not fit level P2 (expected 'M' or a neighbour; say why in effort_why if the per-instance work really differs)",
        id="effort-band-misfits-level",
    ),
    pytest.param(
        {"q.yaml": rule("service: Acme Queue", "service: [Acme, Queue]")},
        '{dir}/q.yaml:4: rule ACME-QUEUE: service: expected text, got list',
        id="text-of-wrong-type",
    ),
    pytest.param(
        {"q.yaml": rule("why: Acme's queue speaks AMQP with a few extensions.", "why: ' '")},
        '{dir}/q.yaml:7: rule ACME-QUEUE: why: must not be empty',
        id="empty-text",
    ),
    pytest.param(
        {"q.yaml": rule("", "    open_source: {RabbitMQ: yes}\n")},
        '{dir}/q.yaml:10: rule ACME-QUEUE: open_source: expected a list of text',
        id="text-list-of-wrong-type",
    ),
    pytest.param(
        {"q.yaml": rule("", "    confidence: certain\n")},
        "{dir}/q.yaml:10: rule ACME-QUEUE: confidence: 'certain' is not one of high, medium, low",
        id="bad-confidence",
    ),
    pytest.param(
        {"q.yaml": rule("", "    priority: 10\n")},
        '{dir}/q.yaml:10: rule ACME-QUEUE: priority: expected a whole number from 0 to 9',
        id="bad-priority",
    ),
    pytest.param(
        {"q.yaml": rule("    match:\n      terraform: [acme_queue]\n", "")},
        "{dir}/q.yaml:2: rule ACME-QUEUE: missing required field 'match'",
        id="missing-match",
    ),
    pytest.param(
        {"q.yaml": rule("    match:\n      terraform: [acme_queue]\n", "    match: {}\n")},
        '{dir}/q.yaml:8: rule ACME-QUEUE: match: expected a non-empty mapping of match kinds to patterns',
        id="empty-match",
    ),
    pytest.param(
        {"q.yaml": rule("terraform: [acme_queue]", "puppet: [acme::queue]")},
        '{dir}/q.yaml:9: rule ACME-QUEUE: match: puppet: unknown field (allowed: ' + ', '.join(sorted(MATCH_KINDS)) + ')',
        id="unknown-match-kind",
    ),
    pytest.param(
        {"q.yaml": rule("terraform: [acme_queue]", "terraform: []")},
        '{dir}/q.yaml:9: rule ACME-QUEUE: match: terraform: expected at least one pattern',
        id="no-pattern",
    ),
    pytest.param(
        {"q.yaml": rule("terraform: [acme_queue]", "terraform: ['*']")},
        "{dir}/q.yaml:9: rule ACME-QUEUE: match: terraform: pattern '*' matches everything",
        id="pattern-matches-everything",
    ),
    pytest.param(
        {"q.yaml": rule("", "    managed: OVHcloud\n")},
        '{dir}/q.yaml:10: rule ACME-QUEUE: managed: expected a list of {target, offer, compatibility, evidence, as_of}',
        id="managed-not-a-list",
    ),
    pytest.param(
        {"q.yaml": rule("", "    managed: [OVHcloud]\n")},
        '{dir}/q.yaml:10: rule ACME-QUEUE: managed: item 0: expected a mapping with target, offer, compatibility, evidence, as_of',
        id="managed-item-not-a-mapping",
    ),
    pytest.param(
        {"q.yaml": rule("", "    managed:\n      - {target: ovh, offer: Queues, compatibility: compatible, evidence: ovh_queue, as_of: 2026-08-21, price: 1}\n")},
        '{dir}/q.yaml:11: rule ACME-QUEUE: managed[0]: price: unknown field (allowed: as_of, compatibility, evidence, offer, target)',
        id="managed-unknown-key",
    ),
    pytest.param(
        {"q.yaml": rule("", "    managed:\n      - {target: ovh, offer: Queues, compatibility: compatible, evidence: ovh_queue, as_of: 2026-08-21}\n")},
        "{dir}/q.yaml: rule ACME-QUEUE: managed[0]: target: 'ovh' is not declared in targets.yaml ()",
        id="managed-unknown-target",
    ),
    pytest.param(
        {"t.yaml": TARGETS, "q.yaml": rule("", "    managed:\n      - {target: ovh, offer: Queues, compatibility: compatible, evidence: scaleway_mnq_sqs_queue, as_of: 2026-08-21}\n")},
        "{dir}/q.yaml: rule ACME-QUEUE: managed[0]: evidence: 'scaleway_mnq_sqs_queue' is neither a Terraform type of OVHcloud (ovh_*) nor a documentation URL",
        id="managed-evidence-of-another-provider",
    ),
    pytest.param(
        {"t.yaml": TARGETS, "q.yaml": rule("", "    managed:\n      - {target: ovh, offer: Queues, compatibility: same, evidence: ovh_queue, as_of: 2026-08-21}\n")},
        "{dir}/q.yaml:11: rule ACME-QUEUE: managed[0]: compatibility: 'same' is not one of same-api, compatible, functional",
        id="managed-bad-compatibility",
    ),
    pytest.param(
        {"t.yaml": TARGETS, "q.yaml": rule("", "    managed:\n      - {target: ovh, offer: Queues, compatibility: compatible, evidence: ovh_queue, as_of: last year}\n")},
        "{dir}/q.yaml:11: rule ACME-QUEUE: managed[0]: as_of: 'last year' is not a date (expected YYYY-MM-DD)",
        id="managed-undated",
    ),
    pytest.param(
        {"t.yaml": TARGETS.replace("    platform_cost: [20, 60]\n", ""), "q.yaml": rule()},
        "{dir}/t.yaml:3: target ovh: expected [low, high] person-days, 0 <= low <= high",
        id="target-without-platform-cost",
    ),
    pytest.param(
        {"t.yaml": TARGETS.replace("kind: provider", "kind: private"), "q.yaml": rule("", "    managed:\n      - {target: ovh, offer: Queues, compatibility: compatible, evidence: ovh_queue, as_of: 2026-08-21}\n")},
        "{dir}/q.yaml: rule ACME-QUEUE: managed[0]: target: 'ovh' runs open source itself and has no managed offers",
        id="managed-offer-at-a-private-target",
    ),
    pytest.param(
        {"t.yaml": TARGETS.replace("    terraform_prefixes: [ovh_]\n", "    providers: [ovh]\n"), "q.yaml": rule()},
        "{dir}/t.yaml:5: target ovh: providers: 'ovh' is not declared in providers.yaml",
        id="target-provider-unknown",
    ),
    pytest.param(
        {"q.yaml": rule("", "    conditions: {attribute: fifo}\n")},
        '{dir}/q.yaml:10: rule ACME-QUEUE: conditions: expected a list',
        id="conditions-not-a-list",
    ),
    pytest.param(
        {"q.yaml": rule("", "    conditions: [fifo]\n")},
        '{dir}/q.yaml:10: rule ACME-QUEUE: conditions: item 0: expected a mapping',
        id="condition-not-a-mapping",
    ),
    pytest.param(
        {"q.yaml": rule("", "    conditions:\n      - {attribute: fifo, level: P3, why: FIFO order., when: always}\n")},
        '{dir}/q.yaml:11: rule ACME-QUEUE: conditions[0]: when: unknown field (allowed: attribute, if_unresolved, level, present, values, why)',
        id="condition-unknown-key",
    ),
    pytest.param(
        {"q.yaml": rule("", "    conditions:\n      - {attribute: fifo, present: maybe, level: P3, why: FIFO order.}\n")},
        '{dir}/q.yaml:11: rule ACME-QUEUE: conditions[0]: present: expected true or false',
        id="condition-present-not-bool",
    ),
    pytest.param(
        {"q.yaml": rule("", "    conditions:\n      - {attribute: fifo, values: ['true'], present: true, level: P3, why: FIFO order.}\n")},
        '{dir}/q.yaml:11: rule ACME-QUEUE: conditions[0]: present: use either values or present, not both',
        id="condition-values-and-present",
    ),
    pytest.param(
        {"q.yaml": rule("", "    conditions:\n      - {attribute: fifo, level: high, why: FIFO order.}\n")},
        "{dir}/q.yaml:11: rule ACME-QUEUE: conditions[0]: level: 'high' is not a level (expected one of P0, P1, P2, P3, P4, U)",
        id="condition-bad-level",
    ),
    pytest.param(
        {"q.yaml": rule("", "    conditions:\n      - {attribute: fifo, level: P3, why: FIFO order., if_unresolved: P2}\n")},
        "{dir}/q.yaml:11: rule ACME-QUEUE: conditions[0]: if_unresolved: 'P2' is not one of U, skip, fire",
        id="condition-bad-if-unresolved",
    ),
    pytest.param(
        {"q.yaml": rule("", "    examples: {level: P2}\n")},
        '{dir}/q.yaml:10: rule ACME-QUEUE: examples: expected a list',
        id="examples-not-a-list",
    ),
    pytest.param(
        {"q.yaml": rule("", "    examples: [P2]\n")},
        '{dir}/q.yaml:10: rule ACME-QUEUE: examples: item 0: expected a mapping',
        id="example-not-a-mapping",
    ),
    pytest.param(
        {"q.yaml": rule("", "    examples:\n      - level: P2\n")},
        '{dir}/q.yaml:11: rule ACME-QUEUE: examples[0]: expected exactly one of terraform, bicep, kubernetes',
        id="example-without-source",
    ),
    pytest.param(
        {"q.yaml": rule("", "    examples:\n      - {level: P2, terraform: ''}\n")},
        "{dir}/q.yaml:11: rule ACME-QUEUE: examples[0]: terraform: expected the example's code as text",
        id="example-empty-code",
    ),
    pytest.param(
        {"q.yaml": rule("", "    examples:\n      - {level: P9, terraform: 'resource \"acme_queue\" \"q\" {}'}\n")},
        "{dir}/q.yaml:11: rule ACME-QUEUE: examples[0]: level: 'P9' is not a level (expected one of P0, P1, P2, P3, P4, U)",
        id="example-bad-level",
    ),
    pytest.param(
        {"q.yaml": RULE + RULE[len("rules:\n"):]},
        '{dir}/q.yaml: rule ACME-QUEUE: id already used in {dir}/q.yaml',
        id="duplicate-id-in-a-file",
    ),
    pytest.param(
        {"a.yaml": RULE, "b.yaml": RULE},
        '{dir}/b.yaml: rule ACME-QUEUE: id already used in {dir}/a.yaml',
        id="duplicate-id-across-files",
    ),
    pytest.param(
        {"q.yaml": rule("provider: acme", "provider: zenith")},
        "{dir}/q.yaml: rule ACME-QUEUE: provider: 'zenith' is not declared in providers.yaml",
        id="undeclared-provider",
    ),
]


@pytest.mark.parametrize("files,message", CASES)
def test_a_bad_rule_file_is_an_error_naming_file_line_and_field(tmp_path, files, message):
    rules = tmp_path / "rules"
    rules.mkdir()
    for name, content in {"providers.yaml": PROVIDERS, **files}.items():
        (rules / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(RuleError) as raised:
        load_catalogue([rules], include_bundled=False)
    assert str(raised.value) == message.replace("{dir}", str(rules))


def test_the_rule_the_cases_start_from_loads(tmp_path):
    """The cases change one thing each: the rule they start from loads."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "providers.yaml").write_text(PROVIDERS)
    (rules / "q.yaml").write_text(RULE)
    catalogue = load_catalogue([rules], include_bundled=False)
    assert [(r.id, r.provider, r.level.value, dict(r.match)) for r in catalogue.rules] == [
        ("ACME-QUEUE", "acme", "P2", {"terraform": ("acme_queue",)}),
    ]
    assert list(catalogue.providers) == ["acme"]


def test_a_missing_rules_directory_is_an_error(tmp_path):
    with pytest.raises(RuleError) as raised:
        load_catalogue([tmp_path / "nope"], include_bundled=False)
    assert str(raised.value) == f"{tmp_path / 'nope'}: rules directory does not exist"


def test_an_extra_directory_replaces_a_bundled_rule(tmp_path):
    """Same id in the bundled catalogue and an extra directory: the extra one wins (not a duplicate)."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "q.yaml").write_text(
        "rules:\n  - id: AWS-SQS\n    provider: aws\n    service: SQS, as we use it\n    category: messaging\n"
        "    level: P1\n    why: Our consumers already speak the SQS API that Scaleway Queues serves.\n"
        "    match:\n      terraform: [aws_sqs_*]\n"
    )
    catalogue = load_catalogue([rules])
    assert (catalogue.by_id["AWS-SQS"].level.value, catalogue.by_id["AWS-SQS"].source_file) == ("P1", str(rules / "q.yaml"))
