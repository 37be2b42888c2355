"""Coverage-guided fuzzing of portacheck's frontends with atheris (not run in CI).

    pip install atheris
    PYTHONPATH=src python fuzz/atheris_harness.py terraform -max_total_time=600 corpus-tf/
    PYTHONPATH=src python fuzz/atheris_harness.py kubernetes -atheris_runs=1000000 corpus-k8s/

The first argument names a frontend (see `portacheck.parse.registry.BY_NAME`); the rest are
libFuzzer's. Each input is written to a file of that format in a scratch directory and given to
the frontend's entry point, which must return a ParseResult and never raise. A crash is an
uncaught exception: libFuzzer saves the input as crash-<hash>; add it to tests/adversarial/.

A corpus directory that is empty is first filled with the files of `fixtures/` that the frontend
claims: libFuzzer mutates real files instead of growing them from nothing. Every module loaded by
then (portacheck and the third-party parsers it imports lazily) is instrumented, so coverage is
that of the parsers, not of this harness.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile

import atheris

from portacheck.model import ParseResult, SourceFile
from portacheck.parse import ParseContext, registry

FILE_NAMES = {
    "terraform": "main.tf",
    "cloudformation": "template.yaml",
    "kubernetes": "manifest.yaml",
    "pipelines": ".github/workflows/ci.yml",
    "bicep": "main.bicep",
    "arm": "azuredeploy.json",
    "application": "requirements.txt",
    "helm": "chart/Chart.yaml",
}
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
MAX_SEED_BYTES = 64 * 1024


def seed(name: str, corpus: str) -> int:
    """Copy the fixtures the frontend claims (and that fit libFuzzer's input size) into an empty corpus."""
    if not os.path.isdir(corpus) or os.listdir(corpus):
        return 0
    frontend, count = registry.BY_NAME[name], 0
    for directory, _, names in os.walk(FIXTURES):
        for file_name in names:
            path = os.path.join(directory, file_name)
            rel = os.path.relpath(path, FIXTURES).replace(os.sep, "/")
            if os.path.islink(path) or os.path.getsize(path) > MAX_SEED_BYTES:
                continue
            with open(path, "rb") as handle:
                data = handle.read()
            if frontend.claims(rel, data[:4096]):
                with open(os.path.join(corpus, hashlib.sha1(data).hexdigest()), "wb") as out:
                    out.write(data)
                count += 1
    return count


def main() -> None:
    name = sys.argv.pop(1) if len(sys.argv) > 1 and sys.argv[1] in FILE_NAMES else "terraform"
    frontend = registry.BY_NAME[name]
    root = tempfile.mkdtemp(prefix="portacheck-fuzz-")
    rel = FILE_NAMES[name]
    path = os.path.join(root, rel)
    os.makedirs(os.path.join(root, "chart", "templates"), exist_ok=True)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    context = ParseContext(root=root, jobs=1)

    def one_input(data: bytes) -> None:
        with open(path, "wb") as handle:
            handle.write(data)
        result = frontend.parse([SourceFile(path, rel, name)], context, frontend.options())
        assert isinstance(result, ParseResult)

    for corpus in (argument for argument in sys.argv[1:] if not argument.startswith("-")):
        print(f"#seeded {seed(name, corpus)} fixtures into {corpus}", file=sys.stderr)
    one_input(b"")  # loads the parsers the frontend imports lazily, so they are instrumented too
    atheris.instrument_all()
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
