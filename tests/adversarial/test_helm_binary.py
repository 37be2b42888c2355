"""Issue 17: a misbehaving `helm template` costs its chart only, through the CLI, end to end.

There is no Helm here, so each test puts a fake `helm` first on PATH (reader_harness.fake_helm): it
renders the chart `good` like Helm would and misbehaves for the chart `big`. The
scan runs in the bounded child of reader_harness (1 GiB of address space, 120 s)."""

from __future__ import annotations

from pathlib import Path

from adversarial.reader_harness import CONFIG_MAP, LB, SQS, bounded_scan, fake_helm, write

FLOOD = "line = 'x' * 65535 + '\\n'\nwhile True:\n    sys.stdout.write(line)\n"  # without end, far past 64 MiB
# the fake helm waits on a child that holds its output open: killing helm alone would not end the read
HANG = "import subprocess\nsubprocess.run(['sleep', '600'])\n"
MILLION = "sys.stdout.write('---\\n# Source: big/templates/t.yaml\\n' + '---\\nk: v\\n' * 1_000_000)\n"
PANIC = """sys.stderr.write('''panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1c2f3a4]

goroutine 1 [running]:
helm.sh/helm/v3/pkg/engine.(*Engine).render(0xc000123456)
\\t/home/runner/work/helm/helm/pkg/engine/engine.go:312 +0x1d4
main.main()
\\t/home/runner/work/helm/helm/cmd/helm/helm.go:83 +0x3a
''')
sys.exit(2)
"""


# big's raw templates are still scanned statically (its ConfigMap), good's render, and the Terraform
FILES = ["big/templates/t.yaml", "good/templates/t.yaml", "ok.tf"]


def scan(tmp_path: Path, big: str, *options: str):
    charts = {"big/Chart.yaml": "apiVersion: v2\nname: big\nversion: 0.1.0\n", "big/templates/t.yaml": CONFIG_MAP,
              "good/Chart.yaml": "apiVersion: v2\nname: good\nversion: 0.1.0\n", "good/templates/t.yaml": LB}
    root = write(tmp_path / "repo", {**charts, "ok.tf": SQS})
    return bounded_scan(root, "--helm-renderer", "binary", *options, ".", bin_dir=fake_helm(tmp_path, big))


def not_rendered(why: str) -> list[str]:
    return [f"big/Chart.yaml: error: chart big was not rendered ({why}); only partly analysed: its values and raw "
            "templates were scanned statically, findings marked 'chart big (not rendered)'"]


def test_the_fake_helm_renders_the_good_chart(tmp_path):
    run = scan(tmp_path, "sys.stdout.write('---\\n# Source: big/templates/t.yaml\\n' + " + repr(CONFIG_MAP) + ")\n")
    assert (run.code, run.errors, run.files) == (0, [], FILES)


def test_helm_printing_far_past_the_output_cap_is_killed(tmp_path):
    run = scan(tmp_path, FLOOD)
    assert (run.code, run.errors, run.files) == (
        3, not_rendered("rendered output exceeds 64 MiB; its objects were not analysed"), FILES,
    )


def test_helm_hanging_past_the_timeout_is_killed_with_its_children(tmp_path):
    run = scan(tmp_path, HANG, "--helm-timeout", "2")
    why = "`helm template` took longer than 2 s (a template may loop); stopped"
    assert (run.code, run.errors, run.files) == (3, not_rendered(why), FILES)


def test_helm_emitting_a_million_tiny_objects_is_refused(tmp_path):
    run = scan(tmp_path, MILLION)
    assert (run.code, run.errors, run.files) == (
        3, not_rendered("rendered output exceeds 20,000 objects; its objects were not analysed"), FILES,
    )


def test_a_helm_panic_is_one_line_without_the_goroutine_dump(tmp_path):
    run = scan(tmp_path, PANIC)
    why = "crash error: the renderer crashed (exit code 2: panic: runtime error: invalid memory address or nil pointer dereference)"
    assert (run.code, run.errors, run.files) == (3, not_rendered(why), FILES)
