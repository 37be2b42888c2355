#!/usr/bin/env python3
"""Benchmark portacheck against the bare parser on the same files (not a test: it prints figures).

    python scripts/benchmark.py terraform PATH [--repeat 3]
    python scripts/benchmark.py kubernetes PATH [--repeat 3]
    python scripts/benchmark.py generate-manifests DIR [--objects 5000]
    python scripts/benchmark.py startup [--repeat 10]
    python scripts/benchmark.py arm PATH [--repeat 3]
    python scripts/benchmark.py cloudformation PATH [--repeat 3] [--generate 500]
    python scripts/benchmark.py precommit PATH FILE [--repeat 3]
    python scripts/benchmark.py corpus DIR [DIR ...] [--against CHECKOUT]
    python scripts/benchmark.py checkov PATH
    python scripts/benchmark.py helm DIR [DIR ...] [--against CHECKOUT]

`terraform` times a full scan of PATH (discovery, parsing, module evaluation, matching,
assessment, JSON rendering) in this process and compares it with python-hcl2 alone loading the
same .tf files (`hcl2.loads`, what a tool built on python-hcl2 pays at least), and shows the bare
tree-sitter parse and reading the files in this process against a pool of worker processes, and,
when PATH has a main.tf, a pre-commit style `portacheck scan main.tf` in a fresh interpreter. `kubernetes`
does the same for manifests against PyYAML's C loader (`yaml.load_all` with CSafeLoader, no
line numbers: the cheapest way to read YAML from Python), and shows ruamel.yaml's round-trip
loader for comparison. `generate-manifests` writes a synthetic tree of Deployments, Services,
ConfigMaps and Ingresses with provider signals sprinkled in. The figure that matters is the
ratio: it does not depend on the machine. `startup` times a cold `portacheck --version` in a
fresh interpreter. `arm` times reading the ARM templates under PATH (resources, lines, parameters)
against `json.load` of the same files, and reading the Bicep files per file.
`cloudformation` times the CloudFormation frontend reading the templates under
PATH (resources, attributes, intrinsics, text signals; no matching) against PyYAML's C loader
(short-form tags constructed as plain values) and `json.load` of the same files; `--generate N`
first writes N synthetic templates (YAML and JSON, SAM among them) under PATH.
`precommit` runs `portacheck scan FILE` in PATH in a fresh interpreter with the parse cache cold
(an empty cache directory), warm, and off (`--no-cache`). `corpus` scans each DIR in its own
process, cold then warm, and adds up wall time and CPU-seconds; with `--against` it runs another
checkout's `src` right after each run too, so a change is compared under the same load. `checkov` times Checkov against
portacheck on PATH, when checkov is installed. `helm` scans Helm-heavy trees cold and warm
(and with --no-cache) with this checkout and, given --against, another checkout of portacheck
(its src/ first on PYTHONPATH, e.g. `git worktree add /tmp/old HEAD~3`), in the same run,
and prints the ratios. These four report peak memory summed over the
process tree (VmRSS of every descendant, sampled), which getrusage cannot give.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import io
import itertools
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def best_of(repeat: int, action) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def full_scan(path: str):
    """What a user pays: rules loaded, the whole pipeline, the JSON report rendered."""
    from portacheck.config import Config
    from portacheck.report import render
    from portacheck.rules.loader import load_catalogue
    from portacheck.scan import run

    def full() -> None:
        assessment = run([path], Config(fail_on=None), catalogue=load_catalogue())
        render("json", assessment, io.StringIO())
        full.resources = assessment.resources_total
        full.findings = len(assessment.findings)
        full.workloads = assessment.workloads.total

    return full


def terraform(path: str, repeat: int) -> None:
    import hcl2

    from portacheck.discover import discover
    from portacheck.parse import parallel_map
    from portacheck.parse.terraform.hcl import parse_text, parser

    discovery = discover([path])
    files = [f.path for f in discovery.files if f.kind == "terraform" and f.path.endswith((".tf", ".tofu"))]
    size = sum(os.path.getsize(f) for f in files)
    texts = []
    for name in files:
        with open(name, encoding="utf-8", errors="replace") as handle:
            texts.append(handle.read())

    def bare() -> None:
        for text in texts:
            with contextlib.suppress(Exception):  # the bare parser's failures cost time too
                hcl2.loads(text)

    def tree_sitter() -> None:
        for text in texts:
            parser().parse(text.encode("utf-8"))

    def read_serially() -> None:
        for name in files:
            _read_tf(name)

    def read_in_pool() -> None:
        # jobs=0 (one per core) and no size floor: what workers would cost for these files
        result = parallel_map(_read_tf, [(name,) for name in files], [1 << 20] * len(files))
        if result is None:
            raise SystemExit("no worker processes here")

    full = full_scan(path)
    bare()  # warm the Lark grammar cache and the OS page cache for both
    full()
    parse_text("a = 1\n", "warm.tf", False)
    t_bare = best_of(repeat, bare)
    t_full = best_of(repeat, full)
    t_ts = best_of(repeat, tree_sitter)
    t_serial = best_of(repeat, read_serially)
    t_pool = best_of(repeat, read_in_pool)
    print(f"tree:        {path}")
    print(f"files:       {len(files)} .tf/.tofu files, {size / 1024:.0f} KiB")
    print(f"scan:        {full.resources} deployed resources, {full.findings} findings")
    print(f"hcl2.loads:  {t_bare:.2f} s (best of {repeat})")
    print(f"portacheck:  {t_full:.2f} s (best of {repeat}; rules loaded, modules evaluated, JSON rendered)")
    print(f"ratio:       {t_full / t_bare:.2f}x the bare python-hcl2 parse")
    print(f"tree-sitter: {t_ts * 1000:.0f} ms bare parse of the same files")
    print(f"reading:     {t_serial * 1000:.0f} ms in this process, {t_pool * 1000:.0f} ms in worker processes (os.cpu_count()={os.cpu_count()})")
    if os.path.isfile(os.path.join(path, "main.tf")):
        t_one = one_file(path, "main.tf", repeat)
        print(f"pre-commit:  {t_one:.2f} s (best of {repeat}) for `portacheck scan main.tf` in {path}, a fresh interpreter")


def one_file(path: str, name: str, repeat: int) -> float:
    """A pre-commit style run: one file named, its module and the modules calling it read, in a new process."""
    command = _portacheck(name)  # the same report file each time: portacheck overwrites its own reports
    subprocess.run(command, cwd=path, capture_output=True)  # the exit code says findings, not failure
    return best_of(repeat, lambda: subprocess.run(command, cwd=path, capture_output=True))


def _read_tf(path: str) -> int:
    """Read and parse one file into blocks, as the Terraform analyser does; a count crosses back."""
    from portacheck.parse.terraform.hcl import parse_text

    with open(path, encoding="utf-8", errors="replace") as handle:
        return len(parse_text(handle.read(), path, False).blocks)


def kubernetes(path: str, repeat: int, ruamel: bool) -> None:
    import yaml

    from portacheck.discover import discover

    discovery = discover([path])
    files = [f.path for f in discovery.files if f.kind == "kubernetes"]
    size = sum(os.path.getsize(f) for f in files)
    texts = []
    for name in files:
        with open(name, encoding="utf-8", errors="replace") as handle:
            texts.append(handle.read())

    def bare() -> None:
        for text in texts:
            with contextlib.suppress(yaml.YAMLError):
                list(yaml.load_all(text, Loader=yaml.CSafeLoader))

    def round_trip() -> None:
        from ruamel.yaml import YAML

        loader = YAML(typ="rt")
        for text in texts:
            with contextlib.suppress(Exception):  # any failure of the round-trip loader costs time too
                list(loader.load_all(text))

    full = full_scan(path)
    bare()
    full()
    t_bare = best_of(repeat, bare)
    t_full = best_of(repeat, full)
    print(f"tree:        {path}")
    print(f"files:       {len(files)} YAML/JSON files, {size / 1024:.0f} KiB")
    print(f"scan:        {full.resources} objects, {full.workloads} workloads, {full.findings} findings")
    print(f"yaml C load: {t_bare:.2f} s (best of {repeat}; PyYAML CSafeLoader, no line numbers)")
    if ruamel:
        print(f"ruamel rt:   {best_of(1, round_trip):.2f} s (one run; ruamel.yaml round-trip loader, for comparison)")
    print(f"portacheck:  {t_full:.2f} s (best of {repeat}; rules loaded, links resolved, JSON rendered)")
    print(f"ratio:       {t_full / t_bare:.2f}x the bare parse")


_MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
  namespace: team-{team}
  labels: {{app: svc-{i}}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: svc-{i}}}
  template:
    metadata:
      labels: {{app: svc-{i}}}
    spec:
      serviceAccountName: svc-{i}
      containers:
        - name: app
          image: {image}
          env:
            - name: BACKEND
              value: {endpoint}
            - name: LOG_LEVEL
              value: info
          envFrom:
            - configMapRef: {{name: svc-{i}}}
          resources: {{limits: {{cpu: 500m, memory: 256Mi}}}}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: svc-{i}
  namespace: team-{team}
  annotations: {annotations}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: svc-{i}
  namespace: team-{team}
data:
  settings.yaml: |
    feature: {i}
    upstream: http://svc-{j}.team-{team}.svc.cluster.local
---
apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
  namespace: team-{team}
spec:
  selector: {{app: svc-{i}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""


def generate_manifests(directory: str, objects: int) -> None:
    images = ["ghcr.io/example/app:1.0", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0", "europe-docker.pkg.dev/p/r/app:1"]
    endpoints = ["http://backend.internal:8080", "https://dynamodb.eu-west-1.amazonaws.com", "pubsub.googleapis.com:443"]
    annotations = ["{}", "{eks.amazonaws.com/role-arn: 'arn:aws:iam::123456789012:role/app'}", "{iam.gke.io/gcp-service-account: app@p.iam.gserviceaccount.com}"]
    count = max(1, objects // 4)
    for i in range(count):
        team = i % 20
        folder = os.path.join(directory, f"team-{team}")
        os.makedirs(folder, exist_ok=True)
        text = _MANIFEST.format(i=i, j=(i + 1) % count, team=team, image=images[i % 3], endpoint=endpoints[i % 3], annotations=annotations[i % 3])
        with open(os.path.join(folder, f"svc-{i}.yaml"), "w", encoding="utf-8") as handle:
            handle.write(text)
    print(f"wrote {count * 4} objects in {count} files under {directory}")


_CFN_YAML = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Engine: {{Type: String, Default: postgres}}
  Env: {{Type: String, Default: prod}}
Resources:
{body}
Outputs:
  Url:
    Value: !Sub "https://${{Api{i}}}.execute-api.${{AWS::Region}}.amazonaws.com/"
"""
_CFN_RESOURCE = """  Db{n}:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: !Ref Engine
      DBInstanceClass: db.t4g.micro
      DBSubnetGroupName: !Ref Subnets
      Tags: [{{Key: env, Value: !Sub "${{Env}}-{n}"}}]
  Fn{n}:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Environment:
        Variables:
          QUEUE: !GetAtt Queue{n}.Arn
          TOPIC: arn:aws:sns:eu-west-1:123456789012:topic-{n}
      Events:
        Jobs: {{Type: SQS, Properties: {{Queue: !GetAtt Queue{n}.Arn}}}}
  Queue{n}:
    Type: AWS::SQS::Queue
"""


def generate_templates(directory: str, count: int) -> None:
    import json

    os.makedirs(directory, exist_ok=True)
    for i in range(count):
        if i % 4 == 3:
            resources = {f"Bucket{n}": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Join": ["-", ["b", str(n)]]}}} for n in range(12)}
            text = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, indent=2)
            name = f"stack-{i}.json"
        else:
            text = _CFN_YAML.format(i=i, body="".join(_CFN_RESOURCE.format(n=n) for n in range(4)))
            name = f"stack-{i}.yaml"
        with open(os.path.join(directory, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    print(f"wrote {count} templates under {directory}")


def cloudformation(path: str, repeat: int) -> None:
    import json

    import yaml

    from portacheck.discover import discover
    from portacheck.parse import ParseContext
    from portacheck.parse.cloudformation.analyse import parse

    class Loader(yaml.CSafeLoader):
        pass

    def tagged(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return {suffix: loader.construct_mapping(node)}
        if isinstance(node, yaml.SequenceNode):
            return {suffix: loader.construct_sequence(node)}
        return {suffix: loader.construct_scalar(node)}

    Loader.add_multi_constructor("!", tagged)
    files = [f for f in discover([path]).files if f.kind == "cloudformation"]
    size = sum(os.path.getsize(f.path) for f in files)
    context = ParseContext(root=os.path.abspath(path))

    def bare() -> None:
        for source in files:
            with open(source.path, encoding="utf-8") as handle:
                if source.path.endswith(".json"):
                    json.load(handle)
                else:
                    yaml.load(handle, Loader=Loader)

    def ours() -> None:
        result = parse(files, context)
        ours.resources = len(result.resources)

    bare_time = best_of(repeat, bare)
    ours_time = best_of(repeat, ours)
    print(f"{len(files)} templates, {size / 1e6:.2f} MB, {ours.resources} resources")
    print(f"  yaml CSafeLoader / json.load:  {bare_time:.3f} s")
    print(f"  portacheck reader:             {ours_time:.3f} s  ({ours_time / bare_time:.2f}x)")


def startup(repeat: int) -> None:
    command = [sys.executable, "-m", "portacheck", "--version"]
    subprocess.run(command, check=True, capture_output=True)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    print(f"portacheck --version: median {statistics.median(times):.3f} s, best {min(times):.3f} s over {repeat} runs")


def arm(path: str, repeat: int) -> None:
    """ARM JSON reading against json.load of the same files; Bicep reading per file. Attributes are
    kept as in a scan: those the bundled rules test."""
    import json

    from portacheck.model import SourceFile
    from portacheck.parse import ParseContext
    from portacheck.parse.arm import claims
    from portacheck.parse.arm.template import ALWAYS_KEEP, read_template
    from portacheck.parse.bicep.analyse import parse as parse_bicep
    from portacheck.rules.loader import load_catalogue

    templates: list[tuple[str, str]] = []
    bicep: list[SourceFile] = []
    for directory, _dirs, names in os.walk(path):
        for name in names:
            full = os.path.join(directory, name)
            rel = os.path.relpath(full, path)
            if name.endswith(".json"):
                with open(full, "rb") as handle:
                    data = handle.read()
                if claims(rel, data[:8192]):
                    templates.append((rel, data.decode("utf-8", "replace").removeprefix("\ufeff")))
            elif name.endswith((".bicep", ".bicepparam")):
                bicep.append(SourceFile(full, rel, "bicep"))
    size = sum(len(text) for _, text in templates) / 1e6
    found = []
    keep = load_catalogue().attributes_of_interest() | ALWAYS_KEEP

    def ours() -> None:
        found.clear()
        for rel, text in templates:
            with contextlib.suppress(Exception):  # a benchmark counts what it can read
                found.extend(read_template(rel, text, keep=keep)[0])

    def bare() -> None:
        for _, text in templates:
            with contextlib.suppress(ValueError):
                json.loads(text)

    if templates:
        mine, theirs = best_of(repeat, ours), best_of(repeat, bare)
        print(f"ARM: {len(templates)} templates, {size:.1f} MB, {len(found)} resources")
        print(f"  portacheck reading {mine * 1000:.0f} ms, json.loads {theirs * 1000:.0f} ms: ratio {mine / theirs:.2f}x")
    if bicep:
        context = ParseContext(root=os.path.abspath(path))
        result = parse_bicep(bicep, context)  # warm: the grammar is loaded once per process
        elapsed = best_of(repeat, lambda: parse_bicep(bicep, context))
        print(f"Bicep: {len(bicep)} files, {len(result.resources)} resources, {len(result.errors)} problems")
        print(f"  reading {elapsed * 1000:.0f} ms, {elapsed / len(bicep) * 1000:.2f} ms per file")


def _tree_rss(pid: int) -> int:
    """VmRSS in bytes of a process and all its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, ()))
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def measured(command: list[str], cwd: str | None = None, env: dict | None = None) -> tuple[float, float, int]:
    """(wall seconds, CPU-seconds of the process tree, peak summed RSS in bytes) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    if command[1:3] == ["-m", "portacheck"] and process.returncode not in (0, 1, 3, 4):  # 2: usage, 5: a crash
        sys.exit(f"benchmark: `{' '.join(command[3:5])}` in {cwd or '.'} exited {process.returncode}; not a scan to time")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak


_SCRATCH = tempfile.mkdtemp(prefix="portacheck-benchmark-")
atexit.register(shutil.rmtree, _SCRATCH, True)
_RUNS = itertools.count()


def _portacheck(*args: str) -> list[str]:
    """A scan writing its JSON report to a new file (portacheck writes reports to regular files only)."""
    report = os.path.join(_SCRATCH, f"report-{next(_RUNS)}.json")
    return [sys.executable, "-m", "portacheck", "scan", *args, "--format", "json", "-o", report, "--no-progress"]


def _env(cache: str, source: str | None = None) -> dict:
    """The cache directory, and bytecode as an installed wheel has it (PYTHONDONTWRITEBYTECODE
    would make every run compile portacheck's sources again), in a directory of its own.
    `source`: another checkout's src directory to run instead of this one."""
    env = {**os.environ, "PORTACHECK_CACHE_DIR": cache, "PYTHONPYCACHEPREFIX": os.path.join(_SCRATCH, "bytecode")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if source:
        env["PYTHONPATH"] = os.path.abspath(source) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _source(checkout: str) -> str:
    """The directory to put first on PYTHONPATH for another version: a checkout or its src."""
    for candidate in (os.path.join(checkout, "src"), checkout):
        if os.path.isfile(os.path.join(candidate, "portacheck", "__init__.py")):
            return os.path.abspath(candidate)
    sys.exit(f"benchmark: {checkout} is neither a portacheck checkout nor its src directory")


def _warm_up(path: str, name: str, source: str | None = None) -> None:
    """One run that is not measured: it writes the bytecode, in a cache directory thrown away."""
    subprocess.run(_portacheck(name), cwd=path, env=_env(os.path.join(_SCRATCH, f"warm-up-{next(_RUNS)}"), source), capture_output=True)


def _line(label: str, figures: tuple[float, float, int]) -> str:
    wall, cpu, peak = figures
    return f"{label:<26} wall {wall:6.2f} s   CPU {cpu:6.2f} s   peak RSS (tree) {peak / 2**20:6.0f} MiB"


def precommit(path: str, name: str, repeat: int) -> None:
    _warm_up(path, name)
    with tempfile.TemporaryDirectory() as cache:
        cold = measured(_portacheck(name), path, _env(cache))
        warms = [measured(_portacheck(name), path, _env(cache)) for _ in range(repeat)]
        offs = [measured(_portacheck(name, "--no-cache"), path, _env(cache)) for _ in range(repeat)]
    warm, off = min(warms, key=lambda f: f[0]), min(offs, key=lambda f: f[0])
    print(f"`portacheck scan {name}` in {path} (a fresh interpreter; warm and off: best of {repeat})")
    for label, figures in (("cache cold", cold), ("cache warm", warm), ("--no-cache", off)):
        print(_line(label, figures))
    print(f"median of {repeat}: warm {statistics.median(f[0] for f in warms):.2f} s wall, {statistics.median(f[1] for f in warms):.2f} CPU-s; "
          f"--no-cache {statistics.median(f[0] for f in offs):.2f} s wall, {statistics.median(f[1] for f in offs):.2f} CPU-s")
    print(f"warm / off: {warm[0] / off[0]:.2f}   cold / off: {cold[0] / off[0]:.2f}")


def corpus(directories: list[str], against: str | None = None) -> None:
    """Each directory cold then warm. With `against` (another checkout's src directory), every
    run is repeated right after with that code, so both see the same load on the machine."""
    sources = {"": None, "against ": _source(against)} if against else {"": None}
    totals = {f"{tag}{label}": [0.0, 0.0, 0] for tag in sources for label in ("cold", "warm")}
    for source in sources.values():
        _warm_up(directories[0], ".", source)
    with tempfile.TemporaryDirectory() as cache:
        for directory in directories:
            for label in ("cold", "warm"):
                for tag, source in sources.items():
                    figures = measured(_portacheck("."), directory, _env(os.path.join(cache, tag or "this"), source))
                    print(_line(f"{os.path.basename(os.path.abspath(directory))} {tag}{label}", figures))
                    total = totals[f"{tag}{label}"]
                    total[0] += figures[0]
                    total[1] += figures[1]
                    total[2] = max(total[2], figures[2])
    for label, (wall, cpu, peak) in totals.items():
        print(_line(f"all {len(directories)} {label}", (wall, cpu, peak)))
    print(f"warm / cold: {totals['warm'][0] / totals['cold'][0]:.2f} (wall)   on {os.cpu_count()} cores")
    if against:
        for label in ("cold", "warm"):
            ours, theirs = totals[label], totals[f"against {label}"]
            print(f"{label}: this / against: wall {ours[0] / theirs[0]:.2f}, CPU {ours[1] / theirs[1]:.2f}")


def helm(directories: list[str], against: str | None) -> None:
    trees = {"this": ""} | ({"against": _source(against)} if against else {})
    totals: dict[tuple[str, str], list[float]] = {}
    for directory in directories:
        for name, source in trees.items():
            env = {**os.environ, "PYTHONPATH": source} if source else dict(os.environ)
            with tempfile.TemporaryDirectory() as cache:
                env["PORTACHECK_CACHE_DIR"] = cache
                for label, extra in (("cold", ()), ("warm", ()), ("off", ("--no-cache",))):
                    figures = measured(_portacheck(".", *extra), directory, env)
                    print(_line(f"{name} {os.path.basename(os.path.abspath(directory))} {label}", figures))
                    total = totals.setdefault((name, label), [0.0, 0.0, 0.0])
                    total[0] += figures[0]
                    total[1] += figures[1]
                    total[2] = max(total[2], figures[2])
    for (name, label), (wall, cpu, peak) in totals.items():
        print(_line(f"{name} all {label}", (wall, cpu, int(peak))))
    if against:
        for label in ("cold", "warm", "off"):
            this, other = totals[("this", label)], totals[("against", label)]
            print(f"{label}: this / against  wall {this[0] / other[0]:.2f}   CPU {this[1] / other[1]:.2f}   peak {this[2] / other[2]:.2f}")


def checkov(path: str) -> None:
    if shutil.which("checkov") is None:
        print("checkov: skipped (not installed; pip install checkov to compare)")
        return
    theirs = measured(["checkov", "-d", ".", "--quiet", "--compact", "-o", "json"], path)
    ours = measured(_portacheck("."), path, _env(tempfile.mkdtemp()))
    print(_line("checkov", theirs))
    print(_line("portacheck (cache cold)", ours))
    print(f"checkov / portacheck: {theirs[0] / ours[0]:.1f}x (wall)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    tf = sub.add_parser("terraform", help="scan time against hcl2.loads on the same files")
    tf.add_argument("path")
    tf.add_argument("--repeat", type=int, default=3)
    k8s = sub.add_parser("kubernetes", help="scan time against PyYAML's C loader on the same files")
    k8s.add_argument("path")
    k8s.add_argument("--repeat", type=int, default=3)
    k8s.add_argument("--no-ruamel", action="store_true", help="skip the ruamel.yaml comparison")
    gen = sub.add_parser("generate-manifests", help="write a synthetic manifest tree")
    gen.add_argument("directory")
    gen.add_argument("--objects", type=int, default=5000)
    cfn = sub.add_parser("cloudformation", help="template reading time against yaml/json loading of the same files")
    cfn.add_argument("path")
    cfn.add_argument("--repeat", type=int, default=3)
    cfn.add_argument("--generate", type=int, default=0, help="first write this many synthetic templates under PATH")
    st = sub.add_parser("startup", help="cold start of portacheck --version")
    st.add_argument("--repeat", type=int, default=10)
    azure = sub.add_parser("arm", help="ARM template reading against json.load; Bicep reading per file")
    azure.add_argument("path")
    azure.add_argument("--repeat", type=int, default=3)
    pre = sub.add_parser("precommit", help="one file named, the parse cache cold, warm and off")
    pre.add_argument("path")
    pre.add_argument("file")
    pre.add_argument("--repeat", type=int, default=3)
    many = sub.add_parser("corpus", help="scan each directory cold then warm; totals")
    many.add_argument("directories", nargs="+")
    many.add_argument("--against", metavar="CHECKOUT", help="also run another checkout (or its src directory), interleaved, and compare")
    hlm = sub.add_parser("helm", help="Helm-heavy trees cold, warm and off, against another checkout")
    hlm.add_argument("directories", nargs="+")
    hlm.add_argument("--against", help="another portacheck checkout to compare with, in the same run")
    chk = sub.add_parser("checkov", help="Checkov against portacheck on PATH (when checkov is installed)")
    chk.add_argument("path")
    args = parser.parse_args()
    if args.what == "precommit":
        precommit(args.path, args.file, args.repeat)
    elif args.what == "corpus":
        corpus(args.directories, args.against)
    elif args.what == "checkov":
        checkov(args.path)
    elif args.what == "helm":
        helm(args.directories, args.against)
    elif args.what == "terraform":
        terraform(args.path, args.repeat)
    elif args.what == "kubernetes":
        kubernetes(args.path, args.repeat, not args.no_ruamel)
    elif args.what == "arm":
        arm(args.path, args.repeat)
    elif args.what == "cloudformation":
        if args.generate:
            generate_templates(args.path, args.generate)
        cloudformation(args.path, args.repeat)
    elif args.what == "generate-manifests":
        generate_manifests(args.directory, args.objects)
    else:
        startup(args.repeat)


if __name__ == "__main__":
    main()
