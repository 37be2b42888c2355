"""The parse cache (portacheck.cache): the same findings with it cold, warm and off; plain data
only; a corrupt entry ignored and rewritten; the least recently used entries evicted past the cap."""

from __future__ import annotations

import os

import pytest

from portacheck.cache import Cache, from_plain, to_plain
from portacheck.model import Level, Location, Origin, Signal

from helpers import FIXTURES

# Every fixture; the Helm charts one by one, so that only the chart that loops waits for a timeout.
FIXTURE_DIRS = sorted(
    [p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "helm"]
    + [f"helm/{p.name}" for p in (FIXTURES / "helm").iterdir() if p.is_dir()]
)


def _entries(directory) -> dict[str, int]:
    """Every cache entry by path, with its size."""
    found = {}
    for dirpath, _dirs, names in os.walk(directory):
        for name in names:
            found[os.path.join(dirpath, name)] = os.path.getsize(os.path.join(dirpath, name))
    return found


@pytest.mark.parametrize("fixture", FIXTURE_DIRS)
def test_a_report_is_byte_identical_with_the_cache_cold_warm_and_off(fixture, fast_cli, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("PORTACHECK_CACHE_DIR", str(cache))
    args = ("scan", str(FIXTURES / fixture), "--format", "json", "--no-progress")
    if fixture == "helm/loop":
        args += ("--helm-timeout", "1.5")
    cold = fast_cli(*args)
    written = _entries(cache)
    warm = fast_cli(*args)
    assert _entries(cache) == written  # every parse result came from the cache: nothing new was written
    monkeypatch.setenv("PORTACHECK_CACHE_DIR", str(tmp_path / "unused"))
    off = fast_cli(*args, "--no-cache")
    assert not (tmp_path / "unused").exists()
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err)
    assert (off.code, off.out, off.err) == (cold.code, cold.out, cold.err)


def test_the_cache_holds_kubernetes_objects_and_terraform_module_calls(fast_cli, tree, tmp_path, monkeypatch):
    root = tree({
        "main.tf": 'module "net" {\n  source = "./modules/net"\n}\n',
        "modules/net/main.tf": 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n',
        "k8s/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx\n",
    })
    monkeypatch.setenv("PORTACHECK_CACHE_DIR", str(tmp_path / "cache"))
    first = fast_cli("scan", str(root / "modules" / "net" / "main.tf"), str(root / "k8s"), "--no-progress")
    assert "AWS-VPC" in first.out and "module.net.aws_vpc.main" in first.out  # its caller was found and read
    assert {kind: len(os.listdir(tmp_path / "cache" / kind)) for kind in os.listdir(tmp_path / "cache")} == {
        "kubernetes": 1, "terraform-calls": 1,  # main.tf; modules/net/main.tf calls nothing, so it is not parsed to look
    }
    assert fast_cli("scan", str(root / "modules" / "net" / "main.tf"), str(root / "k8s"), "--no-progress").out == first.out


def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path):
    cache = Cache(str(tmp_path))
    key = cache.key("kubernetes", [b"kind: Pod\n"])
    cache.put("kubernetes", key, ("t", ("a", 1)))
    entry = tmp_path / "kubernetes" / key
    good = entry.read_bytes()
    entry.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    assert cache.get("kubernetes", key) is None
    entry.write_bytes(b"not an entry")
    assert cache.get("kubernetes", key) is None
    cache.put("kubernetes", key, ("t", ("a", 1)))
    assert entry.read_bytes() == good
    assert cache.get("kubernetes", key) == ("t", ("a", 1))


def test_keys_depend_on_every_part_and_where_parts_end(tmp_path):
    cache = Cache(str(tmp_path))
    assert cache.key("k", [b"ab", b"c"]) != cache.key("k", [b"a", b"bc"])
    assert cache.key("k", [b"ab"]) != cache.key("other", [b"ab"])
    assert cache.key("k", ["ab"]) == cache.key("k", [b"ab"])


def test_the_least_recently_used_entries_go_first_past_the_cap(tmp_path):
    cache = Cache(str(tmp_path), max_bytes=4000)  # room for three entries of a little over 1000 bytes
    for index, name in enumerate(["old", "used", "new"]):
        cache.put("kubernetes", name, "x" * 1000)
        os.utime(tmp_path / "kubernetes" / name, ns=(index * 10**9, index * 10**9))
    assert cache.get("kubernetes", "old") == "x" * 1000  # a hit makes it the most recent
    cache.put("kubernetes", "newest", "x" * 1000)
    cache.trim()
    assert sorted(os.listdir(tmp_path / "kubernetes")) == ["new", "newest", "old"]


def test_objects_come_back_as_what_they_were_and_only_named_classes():
    signal = Signal("kind", "apps/Deployment", Location("a.yaml", 3, 0, Origin(via="chart")), context="spec")
    value = {"signals": [signal], "level": Level.P2, "pair": ("a", 1.5, None, True)}
    classes = {cls.__name__: cls for cls in (Signal, Location, Origin, Level)}
    assert from_plain(to_plain(value), classes) == value
    with pytest.raises(ValueError, match="unexpected cached value"):
        from_plain(to_plain(signal), {"Signal": Signal})


def test_values_of_other_types_are_not_cached():
    class Mapping(dict):
        pass

    with pytest.raises(ValueError, match="cannot cache a Mapping"):
        to_plain({"a": Mapping()})
