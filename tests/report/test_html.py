"""`--format html`: one self-contained page; its structure, counts, escaping, CSP and code snippets (no browser)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
import re
from html.parser import HTMLParser

import pytest

from portacheck.config import Config
from portacheck.report import rendered, snippets

from helpers import BUCKET, DYNAMO, GIT, QUEUE, RANDOM

HOSTILE_FILE = 'k8s/q"<img src=x onerror=alert(1)>.yaml'
HOSTILE_NAME = "<script>alert(1)</script>"
DEPLOYMENT = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: "{HOSTILE_NAME}"
spec:
  template:
    spec:
      containers:
        - name: app
          image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1
"""
FILES = {**GIT, "main.tf": DYNAMO + "\n" + BUCKET + "\n" + QUEUE + "\n" + RANDOM, HOSTILE_FILE: DEPLOYMENT}
VOID = {"meta", "input", "br", "img", "link", "hr", "col", "wbr"}


@dataclasses.dataclass
class Node:
    """An element of the page, as far as the tests need one: tag, attributes, children, text."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = dataclasses.field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def all(self, tag: str = "", **attrs: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (not tag or child.tag == tag) and all(child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                    found.append(child)
                found += child.all(tag, **attrs)
        return found

    def one(self, tag: str = "", **attrs: str) -> Node:
        found = self.all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(page: str) -> Node:
    builder = _Builder()
    builder.feed(page)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


@pytest.fixture
def shop(tree):
    return tree({f"shop/{name}": text for name, text in FILES.items()}) / "shop"


def _page(scan, root, *targets) -> str:
    return rendered("html", scan(root, dataclasses.replace(Config(), targets=tuple(targets))))


def test_structure_headings_and_counts(scan, shop):
    page = _page(scan, shop, "scaleway", "hetzner")
    doc = parse(page)
    assert doc.one("h1").text == "Cloud portability of shop"
    assert [h.text for h in doc.all("h2")] == [
        "Summary", "Targets", "Deployed resources by level, category and provider", "Services", "Workloads",
        "Migration waves", "Findings", "Jurisdiction and sovereignty", "Effort", "What was not analysed",
    ]
    assert [h.text for h in doc.all("h3")] == [
        "By level", "By category", "By provider", "Wave 1: Ready", "Wave 3: Replacements", "Assumptions",
    ]
    assert [a.attrs["href"] for a in doc.one("nav").all("a")] == [f"#{s.attrs['id']}" for s in doc.all("section")]
    assert doc.one("p", **{"class": "result failed"}).text == "FAILED: 1 finding at or above P3"
    assert {dd.attrs["data-count"]: dd.text for dd in doc.one("dl").all("dd") if "data-count" in dd.attrs} == {
        "resources": "5", "findings": "6", "workloads": "1", "errors": "0",
    }
    assert {n.attrs["data-level"]: n.text for n in doc.one("section", id="summary").all("span") if "data-level" in n.attrs} == {
        "P0": "1", "P1": "2", "P2": "1", "P3": "1", "P4": "0", "U": "0",
    }
    targets = {(n.attrs["data-target"], n.attrs["data-count"]): n.text for n in doc.one("section", id="targets").all("span") if "data-count" in n.attrs}
    assert targets == {
        ("scaleway", "ready"): "4", ("scaleway", "ready_with_conditions"): "1", ("scaleway", "not_ready"): "0", ("scaleway", "unknown"): "0",
        ("hetzner", "ready"): "2", ("hetzner", "ready_with_conditions"): "3", ("hetzner", "not_ready"): "0", ("hetzner", "unknown"): "0",
    }
    providers = doc.one("svg", **{"aria-labelledby": "chart-provider"})
    assert [(g.attrs["data-provider"], g.attrs["data-count"], [(r.attrs["data-level"], r.attrs["data-count"]) for r in g.all("rect")]) for g in providers.all("g")] == [
        ("aws", "4", [("P1", "2"), ("P2", "1"), ("P3", "1")]),
        ("terraform", "1", [("P0", "1")]),
    ]
    assert providers.all("title")[0].text == "Deployed resources by provider, stacked by level"
    assert [w.text for w in doc.one("section", id="waves").all("span") if "data-wave" in w.attrs] == ["4", "0", "1", "0"]


def test_findings_table_rows_filters_and_live_count(scan, shop):
    doc = parse(_page(scan, shop, "scaleway"))
    rows = doc.one("table", id="findings-table").one("tbody").all("tr")
    assert [(r.attrs["data-level"], r.attrs["data-provider"], r.attrs["data-category"], r.attrs["data-file"]) for r in rows] == [
        ("P3", "aws", "nosql-db", "main.tf"),
        ("P2", "aws", "messaging", "main.tf"),
        ("P1", "aws", "registry", HOSTILE_FILE),
        ("P1", "aws", "object-storage", "main.tf"),
        ("P0", "kubernetes", "kubernetes", HOSTILE_FILE),
        ("P0", "terraform", "other", "main.tf"),
    ]
    assert [td.text for td in rows[0].all("td")][3] == "P3 ready with conditions"  # at Scaleway
    form = doc.one("form", id="filters")
    labels = {label.attrs["for"]: label.text.split("All")[0].split("service,")[0] for label in form.all("label")}
    assert labels == {"filter-search": "Search", "filter-level": "Level", "filter-provider": "Provider", "filter-category": "Category", "filter-file": "File"}
    level = form.one("select", id="filter-level")
    assert [(o.attrs["value"], o.text, "selected" in o.attrs) for o in level.all("option")] == [
        ("", "All (4)", False), ("P1 P2 P3", "P1 and above", True), ("P0", "P0 neutral", False), ("P1", "P1 re-point", False),
        ("P2", "P2 adapt", False), ("P3", "P3 replace", False),
    ]
    assert [o.attrs["value"] for o in form.one("select", id="filter-file").all("option")] == ["", HOSTILE_FILE, "main.tf"]
    count = doc.one("p", **{"class": "count", "aria-live": "polite"})
    assert count.text == "6 of 6 findings shown"  # without script every row shows; the script applies "P1 and above"


def test_hostile_names_are_escaped(scan, shop):
    page = _page(scan, shop, "scaleway")
    assert page.count("<script") == 1  # the page's own
    assert "<img" not in page and "onerror=alert(1)>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "k8s/q&quot;&lt;img src=x onerror=alert(1)&gt;.yaml:10" in page
    doc = parse(page)
    workloads = doc.one("section", id="workloads").one("tbody").all("tr")
    assert [td.text for td in workloads[0].all("td")][1:3] == [f"Deployment/{HOSTILE_NAME}", f"{HOSTILE_FILE}:1"]
    ecr = doc.one("table", id="findings-table").all("tr", data_level="P1")[0]
    assert ecr.attrs["data-file"] == HOSTILE_FILE
    assert f"Deployment/{HOSTILE_NAME} mentions Amazon ECR" in ecr.text


def test_content_security_policy_allows_only_the_pages_own_script_and_style(scan, shop):
    page = _page(scan, shop)
    doc = parse(page)
    head = doc.one("head")
    assert [m.attrs.get("charset") or m.attrs.get("http-equiv") for m in head.all("meta")][:2] == ["utf-8", "Content-Security-Policy"]
    policy = dict(
        (part.split()[0], part.split()[1:]) for part in head.all("meta")[1].attrs["content"].split("; ")
    )

    def sha(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert policy == {
        "default-src": ["'none'"],
        "script-src": [sha(doc.one("script").text)],
        "style-src": [sha(doc.one("style").text)],
        "img-src": ["data:"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    elements = doc.all()
    assert not {e.tag for e in elements} & {"link", "img", "iframe", "object", "embed", "audio", "video", "source", "base"}
    assert [e.tag for e in elements if "src" in e.attrs or "srcset" in e.attrs or "style" in e.attrs] == []
    assert {e.attrs["href"][0] for e in elements if "href" in e.attrs} == {"#"}
    assert not re.search(r"url\(|@import|https?:", doc.one("style").text + doc.one("script").text)


def test_snippets_show_the_code_around_each_finding(scan, shop):
    doc = parse(_page(scan, shop))
    rows = doc.one("table", id="findings-table").one("tbody").all("tr")
    dynamo = rows[0].all("td")[2]
    assert dynamo.all("code")[0].text == "main.tf:1"
    pre = dynamo.one("pre")
    assert [(line.one("span", **{"class": "ln"}).text, line.attrs["class"]) for line in pre.all("span") if "line" in line.attrs["class"].split()] == [
        ("1", "line hit"), ("2", "line"), ("3", "line"),
    ]
    assert pre.text == '1resource "aws_dynamodb_table" "orders" {2  name     = "orders"3  hash_key = "id"'
    queue = rows[1].all("td")[2].one("pre")
    assert [n.text for n in queue.all("span", **{"class": "ln"})] == ["12", "13", "14", "15", "16"]  # five lines at most
    assert rows[4].all("td")[2].all("pre") == []  # P0 carries over: no code shown


def test_unreadable_files_are_said_in_the_row(scan, shop, tmp_path):
    assessment = scan(shop)
    (shop / "main.tf").unlink()
    (tmp_path / "outside.yaml").write_text(DEPLOYMENT)
    os.replace(shop / HOSTILE_FILE, tmp_path / "moved.yaml")
    (shop / HOSTILE_FILE).symlink_to(tmp_path / "outside.yaml")
    doc = parse(rendered("html", assessment))
    rows = doc.one("table", id="findings-table").one("tbody").all("tr")
    assert [(r.attrs["data-file"], " ".join(n.text for n in r.all("span", **{"class": "nocode"}))) for r in rows if r.attrs["data-level"] != "P0"] == [
        ("main.tf", "code not shown: no such file"),
        ("main.tf", "code not shown: no such file"),
        (HOSTILE_FILE, "code not shown: symlink points outside the scanned root; not read"),
        ("main.tf", "code not shown: no such file"),
    ]


def test_snippet_limits(tmp_path):
    from portacheck.model import Location

    (tmp_path / "a.tf").write_text("".join(f"line {n}\n" for n in range(1, 8)) + "x" * 200 + "\n")
    found = snippets.snippets(str(tmp_path), [Location("a.tf", 1), Location("a.tf", 8), Location("a.tf", 30), Location("a.tf", 0), Location("b.tf", 2)])
    assert found == [
        snippets.Snippet(1, ("line 1", "line 2", "line 3"), 1),
        snippets.Snippet(6, ("line 6", "line 7", "x" * 160 + "…"), 8),
        "code not shown: the file has 8 lines now, not 30",
        "",
        "code not shown: no such file",
    ]
    many = snippets.snippets(str(tmp_path), [Location("a.tf", 1)] * (snippets.MAX_FINDINGS + 1))
    assert many[-1] == "code not shown: only the first 1,000 findings' code is shown"
    assert many[-2] == many[0]


def test_cli_writes_the_page(cli, shop):
    result = cli("scan", ".", "-f", "html:report.html", "-f", "json:report.json", cwd=shop)
    assert result.code == 1
    page = (shop / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">\n")
    assert page.endswith("</html>\n")


def test_no_line_of_the_page_starts_a_workflow_command(scan, tree):
    root = tree({**GIT, "main.tf": 'locals {\n  x = <<EOT\n::error::INJECTED\nhttps://sqs.eu-west-1.amazonaws.com/123/q\nEOT\n}\n'})
    page = rendered("html", scan(root))
    assert "::error::INJECTED" in parse(page).one("pre").text  # the code is shown...
    assert not re.search(r"^\s*::", page, re.MULTILINE)  # ...on no line of its own


def test_sovereignty_and_what_was_not_analysed(scan, tree):
    root = tree({f"shop/{name}": text for name, text in FILES.items()} | {"shop/broken.tf": 'resource "aws_s3_bucket" "x" {\n  bucket = \n'}) / "shop"
    doc = parse(rendered("html", scan(root, dataclasses.replace(Config(), sovereignty="strict"))))
    jurisdiction = doc.one("section", id="jurisdiction")
    assert [h.text for h in jurisdiction.all("h3")] == [
        "Resources that do not meet profile strict, or are unknown",
        "Infrastructure-code control plane (operational autonomy)",
        "Workload identity",
        "Logs",
        "Key custody of 3 data stores",
    ]
    assert [[td.text for td in tr.all("td")][:3] for tr in jurisdiction.all("table")[1].one("tbody").all("tr")] == [
        ["does not meet", "aws_dynamodb_table.orders", "main.tf:1"],
        ["does not meet", "aws_s3_bucket.uploads", "main.tf:10"],
        ["does not meet", "aws_sqs_queue.jobs", "main.tf:14"],
    ]
    missing = doc.one("section", id="not-analysed")
    assert [h.text for h in missing.all("h3")] == ["Could not analyse (1)"]
    assert [li.text for li in missing.all("li")] == ["broken.tf:1: cannot parse HCL: unexpected 'resource'"]
