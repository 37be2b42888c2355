"""Coverage-guided fuzzing of portacheck's frontends with atheris (not run in CI).

    pip install atheris
    PYTHONPATH=src python fuzz/atheris_harness.py terraform -max_total_time=3600 corpus-tf/
    PYTHONPATH=src python fuzz/atheris_harness.py kubernetes -atheris_runs=1000000

The first argument names a frontend (see `portacheck.parse.registry.BY_NAME`); the rest are
libFuzzer's. Each input is written to a file of that format in a scratch directory and given to
the frontend's entry point, which must return a ParseResult and never raise. A crash is an
uncaught exception: libFuzzer saves the input as crash-<hash>; add it to tests/adversarial/.
"""

from __future__ import annotations

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
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

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
