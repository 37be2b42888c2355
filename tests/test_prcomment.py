"""`portacheck comment BODY.md --platform github|gitlab`: one comment per pull or merge request and key,
created, updated or left alone, against a stub of each API on 127.0.0.1 that records every call."""

from __future__ import annotations

import json

import pytest
from stub_api import Answer, Call, StubApi

from portacheck.prcomment import MAX_BODY_CHARS, compose

TOKEN = "ghs_s3cr3t-t0ken"
MARKER = "<!-- portacheck:delta default -->"
TEXT = "## portacheck: 1 new finding\n\n| level | rule |\n|---|---|\n| P3 | AWS-DYNAMODB |\n"
BODY = f"{MARKER}\n{TEXT}"
GITHUB_HEADERS = {"Accept": "application/vnd.github+json", "Authorization": "Bearer ***", "X-Github-Api-Version": "2022-11-28"}
GITLAB_HEADERS = {"Accept": "application/json", "Private-Token": "***"}
COMMENTS = "/repos/acme/infra/issues/7/comments"
NOTES = "/projects/42/merge_requests/3/notes"


@pytest.fixture
def env(monkeypatch, tmp_path):
    """Set the CI variables given (all others of GitHub and GitLab removed); returns the body file."""
    import os

    for name in list(os.environ):
        if name.startswith(("GITHUB_", "CI_", "PORTACHECK_GITLAB")):
            monkeypatch.delenv(name)
    body = tmp_path / "delta.md"
    body.write_text(TEXT)

    def set_env(**values: str):
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        return body

    return set_env


def on_github(stub: StubApi, **more: str) -> dict[str, str]:
    return {"GITHUB_API_URL": stub.url, "GITHUB_REPOSITORY": "acme/infra", "GITHUB_TOKEN": TOKEN, **more}


def on_gitlab(stub: StubApi) -> dict[str, str]:
    return {"CI_API_V4_URL": f"{stub.url}/api/v4", "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "3", "PORTACHECK_GITLAB_TOKEN": TOKEN}


def listed(path: str = COMMENTS, **query: str) -> Call:
    return Call("GET", path, {"per_page": "100", **query}, GITHUB_HEADERS)


def no_token(result) -> None:
    assert TOKEN not in result.out + result.err


def test_github_creates_the_comment_when_there_is_none(env, cli):
    script = [Answer(200, [{"id": 1, "body": "LGTM"}]), Answer(201, {"id": 99, "html_url": "https://github.com/acme/infra/pull/7#issuecomment-99"})]
    with StubApi(script, TOKEN) as stub:
        body = env(**on_github(stub))
        result = cli("comment", str(body), "--platform", "github", "--pr", "7")
    assert (result.code, result.out, result.err) == (0, "", "portacheck: comment created: https://github.com/acme/infra/pull/7#issuecomment-99\n")
    assert stub.calls == [
        listed(),
        Call("POST", COMMENTS, {}, {**GITHUB_HEADERS, "Content-Type": "application/json"}, {"body": BODY}),
    ]
    assert stub.user_agents[0].startswith("portacheck/")  # GitHub refuses requests without one


def test_github_updates_its_comment_when_the_text_changed(env, cli):
    script = [Answer(200, [{"id": 5, "body": f"{MARKER}\n## portacheck: no change\n"}]), Answer(200, {"id": 5})]
    with StubApi(script, TOKEN) as stub:
        body = env(**on_github(stub))
        result = cli("comment", str(body), "--platform", "github", "--pr", "7")
    assert (result.code, result.err) == (0, "portacheck: comment 5 updated\n")
    assert stub.calls == [
        listed(),
        Call("PATCH", "/repos/acme/infra/issues/comments/5", {}, {**GITHUB_HEADERS, "Content-Type": "application/json"}, {"body": BODY}),
    ]


def test_an_unchanged_comment_is_left_alone(env, cli):
    with StubApi([Answer(200, [{"id": 5, "body": BODY.replace("\n", "\r\n")}])], TOKEN) as stub:  # line ends as a browser saved them
        body = env(**on_github(stub))
        result = cli("comment", str(body), "--platform", "github", "--pr", "7")
    assert (result.code, result.err) == (0, "portacheck: comment 5 already says this; not updated\n")
    assert stub.calls == [listed()]


@pytest.fixture
def deltas(tmp_path, fast_cli):
    """(a delta-json report that says nothing changed, one that says something did)."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "main.tf").write_text('resource "aws_s3_bucket" "b" { bucket = "x" }\n')
    base = tmp_path / "base.json"
    assert fast_cli("scan", str(code), "--fail-on", "never", "-f", f"json:{base}").code == 0
    (code / "main.tf").write_text('resource "aws_s3_bucket" "b" { bucket = "x" }\nresource "aws_sqs_queue" "q" { name = "q" }\n')
    head = tmp_path / "head.json"
    assert fast_cli("scan", str(code), "--fail-on", "never", "-f", f"json:{head}").code == 0
    same, changed = tmp_path / "same.json", tmp_path / "changed.json"
    assert fast_cli("diff", str(base), str(base), "-f", f"json:{same}").code == 0
    assert fast_cli("diff", str(base), str(head), "-f", f"json:{changed}").code == 0
    return same, changed


def test_nothing_changed_and_no_comment_yet_posts_none(env, cli, deltas):
    same, changed = deltas
    with StubApi([Answer(200, [])], TOKEN) as stub:
        body = env(**on_github(stub))
        result = cli("comment", str(body), "--platform", "github", "--pr", "7", "--delta", str(same))
    assert (result.code, result.err) == (0, "portacheck: the delta says nothing changed and there is no comment yet; none posted\n")
    assert stub.calls == [listed()]

    # a comment from an earlier push is brought up to date even when this push changed nothing
    with StubApi([Answer(200, [{"id": 5, "body": f"{MARKER}\nold\n"}]), Answer(200, {"id": 5})], TOKEN) as stub:
        env(**on_github(stub))
        assert cli("comment", str(body), "--platform", "github", "--pr", "7", "--delta", str(same)).err == "portacheck: comment 5 updated\n"
    assert [call.method for call in stub.calls] == ["GET", "PATCH"]

    with StubApi([Answer(200, []), Answer(201, {"id": 8})], TOKEN) as stub:
        env(**on_github(stub))
        assert cli("comment", str(body), "--platform", "github", "--pr", "7", "--delta", str(changed)).err == "portacheck: comment created\n"
    assert [call.method for call in stub.calls] == ["GET", "POST"]


def test_github_follows_the_link_header_to_the_comment_on_page_2(env, cli, tmp_path):
    page_1 = [{"id": n, "body": "+1"} for n in range(1, 101)]
    page_2 = [{"id": 101, "body": "<!-- portacheck:delta staging -->\nother run"}, {"id": 102, "body": f"{MARKER}\nold"}]
    link = '<{base}/repositories/1/issues/7/comments?per_page=100&page=2>; rel="next", <{base}/repositories/1/issues/7/comments?per_page=100&page=2>; rel="last"'
    script = [Answer(200, page_1, {"Link": link}), Answer(200, page_2), Answer(200, {"id": 102})]
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {"number": 7}}))
    with StubApi(script, TOKEN) as stub:
        body = env(**on_github(stub, GITHUB_EVENT_PATH=str(event)))  # the PR number from the event
        result = cli("comment", str(body), "--platform", "github")
    assert (result.code, result.err) == (0, "portacheck: comment 102 updated\n")
    assert stub.calls == [
        listed(),
        listed("/repositories/1/issues/7/comments", page="2"),
        Call("PATCH", "/repos/acme/infra/issues/comments/102", {}, {**GITHUB_HEADERS, "Content-Type": "application/json"}, {"body": BODY}),
    ]


def test_the_key_keeps_several_runs_apart(env, cli):
    script = [Answer(200, [{"id": 102, "body": f"{MARKER}\n{TEXT}"}]), Answer(201, {"id": 103})]
    with StubApi(script, TOKEN) as stub:
        body = env(**on_github(stub))
        assert cli("comment", str(body), "--platform", "github", "--pr", "7", "--key", "staging").code == 0
    assert stub.calls[1].body == {"body": f"<!-- portacheck:delta staging -->\n{TEXT}"}
    result = cli("comment", str(body), "--platform", "github", "--pr", "7", "--key", "a -->")
    assert (result.code, result.err) == (2, "portacheck: error: --key: 'a -->' is not a key: letters, digits, '.', '_' and '-', at most 64\n")


def test_gitlab_creates_then_updates_its_note_across_pages(env, cli):
    page_1 = [{"id": 1, "body": f"{MARKER}\nold", "system": True}]  # a system note is never ours
    with StubApi([Answer(200, page_1, {"X-Next-Page": "2"}), Answer(200, [], {"X-Next-Page": ""}), Answer(201, {"id": 77})], TOKEN) as stub:
        body = env(**on_gitlab(stub))
        result = cli("comment", str(body), "--platform", "gitlab")
    assert (result.code, result.err) == (0, "portacheck: comment created\n")
    query = {"per_page": "100", "sort": "asc", "order_by": "created_at"}
    assert stub.calls == [
        Call("GET", f"/api/v4{NOTES}", query, GITLAB_HEADERS),
        Call("GET", f"/api/v4{NOTES}", {**query, "page": "2"}, GITLAB_HEADERS),
        Call("POST", f"/api/v4{NOTES}", {}, {**GITLAB_HEADERS, "Content-Type": "application/json"}, {"body": BODY}),
    ]

    with StubApi([Answer(200, [{"id": 77, "body": f"{MARKER}\nold", "system": False}]), Answer(200, {"id": 77})], TOKEN) as stub:
        env(**on_gitlab(stub))
        assert cli("comment", str(body), "--platform", "gitlab").err == "portacheck: comment 77 updated\n"
    assert stub.calls[1] == Call("PUT", f"/api/v4{NOTES}/77", {}, {**GITLAB_HEADERS, "Content-Type": "application/json"}, {"body": BODY})


@pytest.mark.parametrize(
    "platform, answer, says",
    [
        ("github", Answer(403, {"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest"}),
         f"github: HTTP 403 on POST {COMMENTS}: Resource not accessible by integration"),
        ("gitlab", Answer(403, {"message": "403 Forbidden"}), f"gitlab: HTTP 403 on POST /api/v4{NOTES}: 403 Forbidden"),
        ("gitlab", Answer(400, {"message": {"note": ["can't be blank"]}}), f"gitlab: HTTP 400 on POST /api/v4{NOTES}: {{\"note\": [\"can't be blank\"]}}"),
        ("github", Answer(502), f"github: HTTP 502 on POST {COMMENTS}: Bad Gateway"),
        ("github", Answer(422, {"message": f"token {TOKEN} is invalid"}), f"github: HTTP 422 on POST {COMMENTS}: token *** is invalid"),
    ],
)
def test_an_api_error_is_one_line_and_exit_2(env, cli, platform, answer, says):
    with StubApi([Answer(200, []), answer], TOKEN) as stub:
        body = env(**(on_github(stub) if platform == "github" else on_gitlab(stub)))
        result = cli("comment", str(body), "--platform", platform, *(["--pr", "7"] if platform == "github" else []))
    assert (result.code, result.out, result.err) == (2, "", f"portacheck: error: {says}\n")
    no_token(result)


@pytest.mark.parametrize(
    "platform, missing, args, says",
    [
        ("github", "GITHUB_TOKEN", ["--pr", "7"], "GITHUB_TOKEN is not set"),
        ("github", "GITHUB_REPOSITORY", ["--pr", "7"], "GITHUB_REPOSITORY is not set"),
        ("github", None, [], "GITHUB_EVENT_PATH is not set; give --pr NUMBER"),
        ("gitlab", "PORTACHECK_GITLAB_TOKEN", [], "PORTACHECK_GITLAB_TOKEN is not set"),
        ("gitlab", "CI_MERGE_REQUEST_IID", [], "CI_MERGE_REQUEST_IID is not set"),
        ("gitlab", "CI_API_V4_URL", [], "CI_API_V4_URL is not set"),
    ],
)
def test_a_missing_variable_is_named_before_any_request(env, cli, platform, missing, args, says):
    with StubApi([], TOKEN) as stub:
        values = on_github(stub) if platform == "github" else on_gitlab(stub)
        values.pop(missing, None)
        body = env(**values)
        result = cli("comment", str(body), "--platform", platform, *args)
    assert (result.code, result.err) == (2, f"portacheck: error: {says}\n")
    assert stub.calls == []
    no_token(result)


def test_not_a_pull_request_event(env, cli, tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"ref": "refs/heads/main"}))
    body = env(GITHUB_REPOSITORY="acme/infra", GITHUB_TOKEN=TOKEN, GITHUB_EVENT_PATH=str(event))
    result = cli("comment", str(body), "--platform", "github")
    assert (result.code, result.err) == (2, f"portacheck: error: GITHUB_EVENT_PATH {event}: no pull_request.number (not a pull_request event); give --pr NUMBER\n")


@pytest.mark.parametrize(
    "url, allowed",
    [("http://api.example.org", False), ("http://10.0.0.5:8080/api", False), ("ftp://127.0.0.1", False), ("http://localhost:1", True), ("http://[::1]:1", True)],
)
def test_the_token_goes_over_https_only_or_to_loopback(env, cli, url, allowed):
    body = env(GITHUB_API_URL=url, GITHUB_REPOSITORY="acme/infra", GITHUB_TOKEN=TOKEN)
    result = cli("comment", str(body), "--platform", "github", "--pr", "7")
    assert result.code == 2
    if allowed:  # accepted, then nothing listens there
        assert result.err.startswith(f"portacheck: error: github: cannot reach {url} (GET {COMMENTS}): "), result
    elif url.startswith("ftp"):
        assert result.err == f"portacheck: error: GITHUB_API_URL: '{url}' is not an http(s) URL\n"
    else:
        assert result.err == f"portacheck: error: GITHUB_API_URL: {url} is not https; the token is sent only over https (or to a loopback address)\n"
    no_token(result)


def test_the_token_is_never_sent_on(env, cli):
    """A redirect is not followed, and a next page on another host is not fetched: either would carry the token there."""
    with StubApi([Answer(302, None, {"Location": "https://elsewhere.example/steal"})], TOKEN) as stub:
        body = env(**on_github(stub))
        result = cli("comment", str(body), "--platform", "github", "--pr", "7")
    assert (result.code, result.err) == (2, f"portacheck: error: github: HTTP 302 on GET {COMMENTS}: Found\n")
    assert len(stub.calls) == 1

    link = '<https://elsewhere.example/steal?page=2>; rel="next"'
    with StubApi([Answer(200, [], {"Link": link})], TOKEN) as stub:
        env(**on_github(stub))
        result = cli("comment", str(body), "--platform", "github", "--pr", "7")
    assert (result.code, result.err) == (2, "portacheck: error: github: the next page is on another host (https://elsewhere.example/steal?page=2); not followed\n")
    assert len(stub.calls) == 1


def test_the_comment_with_its_marker_stays_within_githubs_limit():
    text = "".join(f"| P2 | finding {n:05} |\n" for n in range(5000))  # about 100,000 characters
    body = compose("default", text)
    assert len(body) <= MAX_BODY_CHARS == 65_536
    lines = body.split("\n")
    assert lines[0] == MARKER and lines[1] == "| P2 | finding 00000 |"
    assert body.endswith("has the whole delta._\n") and "more lines" in lines[-2]
    assert compose("default", TEXT) == BODY  # short text: only the marker added


def test_a_delta_that_is_not_one(env, cli, tmp_path):
    report = tmp_path / "report.json"
    report.write_text('{"tool": {"name": "portacheck"}}')
    body = env(GITHUB_REPOSITORY="acme/infra", GITHUB_TOKEN=TOKEN)
    result = cli("comment", str(body), "--platform", "github", "--pr", "7", "--delta", str(report))
    assert (result.code, result.err) == (2, f"portacheck: error: {report}: not a portacheck delta report (`portacheck diff --format json`)\n")
    result = cli("comment", str(tmp_path / "missing.md"), "--platform", "gitlab")
    assert (result.code, result.err) == (2, f"portacheck: error: {tmp_path / 'missing.md'}: no such file\n")
