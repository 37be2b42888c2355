"""Every example written in a rule is scanned and must get the level the rule says."""

from __future__ import annotations

import pytest

from portacheck.rules.loader import load_catalogue

EXAMPLES = [(rule.id, i, example) for rule in load_catalogue().rules for i, example in enumerate(rule.examples)]


@pytest.mark.parametrize("rule_id,index,example", EXAMPLES, ids=[f"{r}-{i}" for r, i, _ in EXAMPLES])
def test_rule_example(rule_id, index, example, tmp_path, scan):
    name = {"terraform": "main.tf", "kubernetes": "manifest.yaml", "bicep": "main.bicep"}[example.source]
    (tmp_path / name).write_text(example.code, encoding="utf-8")
    assessment = scan(tmp_path)
    assert not assessment.errors, assessment.errors
    if example.source in ("terraform", "bicep"):
        kind = "terraform" if example.source == "terraform" else "arm"
        own = [f for f in assessment.findings if f.rule.id == rule_id and f.signal.kind.startswith(kind)]
        assert len(own) == 1, [(f.rule.id, f.signal.value) for f in assessment.findings]
    else:
        own = [f for f in assessment.findings if f.rule.id == rule_id]
        assert own, [(f.rule.id, f.signal.kind, f.signal.value) for f in assessment.findings]
        own = [max(own, key=lambda f: f.level.rank)]
    assert own[0].level.value == example.level.value, own[0].why


def test_rules_with_conditions_have_examples_both_ways():
    missing = []
    for rule in load_catalogue().rules:
        if not rule.conditions:
            continue
        levels = {example.level for example in rule.examples}
        fired = {c.level for c in rule.conditions}
        if not (levels & fired) or (rule.level not in levels and not (levels - fired)):
            missing.append(rule.id)
    assert not missing, f"rules with conditions need an example that fires one and one that does not: {missing}"
