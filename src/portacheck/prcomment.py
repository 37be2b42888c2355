"""One pull-request (GitHub) or merge-request (GitLab) comment per run key, created once and updated later.

The comment is found among the PR's comments by a hidden first line, `<!-- portacheck:delta KEY -->`. A
run creates it, updates it when its text changed, and leaves it alone when the text is the same; with
a delta report (`--delta`) that says nothing changed and no comment yet, it posts none, so a PR that
does not touch the infrastructure gets no comment at all.

Only the standard library talks HTTP: every request has a timeout, nothing is retried, and pages are
followed up to MAX_PAGES. The token goes to the API's own origin over https only (loopback excepted,
for tests), redirects are refused so it is never sent on, and it never appears in a message.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from portacheck import __version__
from portacheck.delta import MAX_REPORT_BYTES
from portacheck.errors import InputError, PortacheckError
from portacheck.reader import read_text
from portacheck.report.delta import MAX_MARKDOWN_CHARS, cap
from portacheck.report.escape import terminal

PLATFORMS = ("github", "gitlab")
TIMEOUT = 30.0
MAX_PAGES = 50  # 5,000 comments at 100 a page
MAX_BODY_CHARS = MAX_MARKDOWN_CHARS  # GitHub's limit for a comment (GitLab's is larger)
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
MAX_TEXT_BYTES = 16 * 1024 * 1024  # the Markdown file; what is posted is cut to MAX_BODY_CHARS
_DIGITS = re.compile(r"^[0-9]{1,12}$")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class CommentError(PortacheckError):
    """The comment could not be posted: one line naming the platform, never the token (exit 2)."""


@dataclass(frozen=True)
class Target:
    """Where one PR's comments live on one platform, and how to page and edit them."""

    platform: str
    api: str  # base URL of the REST API, without a trailing slash
    comments: str  # path that lists (GET) and creates (POST) the PR's comments
    comment: str  # path of one comment, with `{id}`
    update_method: str  # PATCH (GitHub) or PUT (GitLab)
    paging: str  # "link" (GitHub's Link rel=next) or "x-next-page" (GitLab)
    headers: Mapping[str, str] = field(repr=False)  # the token is among them
    token: str = field(repr=False)


@dataclass(frozen=True)
class Outcome:
    action: str  # created, updated, unchanged, skipped
    comment_id: int | None
    message: str


def marker(key: str) -> str:
    return f"<!-- portacheck:delta {key} -->"


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise CommentError(f"--key: {terminal(key)!r} is not a key: letters, digits, '.', '_' and '-', at most 64")
    return key


def compose(key: str, text: str) -> str:
    """The comment: the marker line, then the Markdown, cut between lines to MAX_BODY_CHARS in all."""
    head = marker(key) + "\n"
    if len(head) + len(text) <= MAX_BODY_CHARS:
        return head + text
    return head + cap(text.rstrip("\n").split("\n"), MAX_BODY_CHARS - len(head))


def nothing_changed(path: str) -> bool:
    """Whether a delta-json report (portacheck.delta.document) says the change changed nothing."""
    try:
        document = json.loads(read_text(path, MAX_REPORT_BYTES))
    except InputError as exc:
        raise CommentError(f"{path}: {exc.message}") from None
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict) or document.get("kind") != "portacheck-delta" or not isinstance(document.get("summary"), dict):
        raise CommentError(f"{path}: not a portacheck delta report (`portacheck diff --format json`)")
    counts = document["summary"].values()
    effort = document.get("effort") or {}
    return all(count == 0 for count in counts) and effort.get("base") == effort.get("head")


# --- the platforms -----------------------------------------------------------------------------------


def _need(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise CommentError(f"{name} is not set")
    return value


def _number(text: str, what: str) -> int:
    if not _DIGITS.match(text) or int(text) < 1:
        raise CommentError(f"{what}: {terminal(text)!r} is not a pull-request or merge-request number")
    return int(text)


def _api(url: str, variable: str) -> str:
    """The API base URL, refused unless https (or plain http to a loopback host)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise CommentError(f"{variable}: {terminal(url)!r} is not an http(s) URL")
    if parts.scheme != "https" and not _loopback(parts.hostname):
        raise CommentError(f"{variable}: {terminal(url)} is not https; the token is sent only over https (or to a loopback address)")
    return url.rstrip("/")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def github(env: Mapping[str, str], pr: str | None) -> Target:
    api = _api(env.get("GITHUB_API_URL") or "https://api.github.com", "GITHUB_API_URL")
    repository = _need(env, "GITHUB_REPOSITORY")
    owner, _, name = repository.partition("/")
    if not owner or not name or "/" in name:
        raise CommentError(f"GITHUB_REPOSITORY: {terminal(repository)!r} is not OWNER/NAME")
    number = _number(pr, "--pr") if pr else _event_pr(env)
    token = _need(env, "GITHUB_TOKEN")
    repo = f"/repos/{urllib.parse.quote(owner, safe='')}/{urllib.parse.quote(name, safe='')}"
    return Target(
        platform="github",
        api=api,
        comments=f"{repo}/issues/{number}/comments",
        comment=repo + "/issues/comments/{id}",
        update_method="PATCH",
        paging="link",
        headers={"Accept": "application/vnd.github+json", "Authorization": f"Bearer {token}", "X-GitHub-Api-Version": "2022-11-28"},
        token=token,
    )


def _event_pr(env: Mapping[str, str]) -> int:
    """pull_request.number of the workflow's event (GITHUB_EVENT_PATH)."""
    path = env.get("GITHUB_EVENT_PATH", "").strip()
    if not path:
        raise CommentError("GITHUB_EVENT_PATH is not set; give --pr NUMBER")
    try:
        event = json.loads(read_text(path))
    except InputError as exc:
        raise CommentError(f"GITHUB_EVENT_PATH {path}: {exc.message}") from None
    except (ValueError, RecursionError):
        raise CommentError(f"GITHUB_EVENT_PATH {path}: not JSON") from None
    number = (event.get("pull_request") or {}).get("number") if isinstance(event, dict) else None
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise CommentError(f"GITHUB_EVENT_PATH {path}: no pull_request.number (not a pull_request event); give --pr NUMBER")
    return number


def gitlab(env: Mapping[str, str], pr: str | None) -> Target:
    api = _api(_need(env, "CI_API_V4_URL"), "CI_API_V4_URL")
    project = urllib.parse.quote(_need(env, "CI_PROJECT_ID"), safe="")
    number = _number(pr or _need(env, "CI_MERGE_REQUEST_IID"), "--pr" if pr else "CI_MERGE_REQUEST_IID")
    token = _need(env, "PORTACHECK_GITLAB_TOKEN")
    notes = f"/projects/{project}/merge_requests/{number}/notes"
    return Target(
        platform="gitlab",
        api=api,
        comments=notes,
        comment=notes + "/{id}",
        update_method="PUT",
        paging="x-next-page",
        headers={"Accept": "application/json", "PRIVATE-TOKEN": token},
        token=token,
    )


TARGETS = {"github": github, "gitlab": gitlab}


# --- HTTP --------------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx is raised as an HTTPError: the token is never sent to another address


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    data: Any


def request(target: Target, method: str, url: str, body: dict[str, Any] | None = None) -> Response:
    """One call to the platform's API: JSON in and out, or CommentError in one line."""
    headers = {"User-Agent": f"portacheck/{__version__}", **target.headers}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    where = f"{method} {urllib.parse.urlsplit(url).path}"
    call = urllib.request.Request(url, data=payload, method=method, headers=headers)
    try:
        with _OPENER.open(call, timeout=TIMEOUT) as answer:
            raw = answer.read(MAX_RESPONSE_BYTES + 1)
            status, answer_headers = answer.status, dict(answer.headers.items())
    except urllib.error.HTTPError as exc:
        raise CommentError(_scrub(f"{target.platform}: HTTP {exc.code} on {where}: {_platform_message(exc)}", target.token)) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise CommentError(_scrub(f"{target.platform}: cannot reach {target.api} ({where}): {reason}", target.token)) from None
    if len(raw) > MAX_RESPONSE_BYTES:
        raise CommentError(f"{target.platform}: the answer to {where} is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MiB")
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (ValueError, RecursionError):
        raise CommentError(f"{target.platform}: the answer to {where} (HTTP {status}) is not JSON") from None
    return Response(status, {k.lower(): v for k, v in answer_headers.items()}, data)


def _platform_message(exc: urllib.error.HTTPError) -> str:
    """What the platform said: GitHub's `message`, GitLab's `message` or `error`, else the reason phrase."""
    try:
        data = json.loads(exc.read(64 * 1024).decode("utf-8", "replace"))
    except (ValueError, RecursionError, OSError):
        data = None
    said = None
    if isinstance(data, dict):
        said = data.get("message") or data.get("error")
        if isinstance(said, (dict, list)):
            said = json.dumps(said, ensure_ascii=False)
    text = str(said or exc.reason or "no message")
    return text if len(text) <= 300 else text[:300] + "..."


def _scrub(message: str, token: str) -> str:
    message = terminal(message)
    return message.replace(token, "***") if token else message


def _same_origin(url: str, api: str) -> bool:
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(api)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


def _next_link(header: str) -> str | None:
    """The rel="next" URL of a Link header."""
    for part in header.split(","):
        match = re.match(r'\s*<([^>]*)>\s*;(.*)$', part)
        if match and re.search(r'\brel\s*=\s*"?next"?', match.group(2)):
            return match.group(1)
    return None


def comments(target: Target) -> Iterator[dict[str, Any]]:
    """Every comment of the PR, oldest first, page by page."""
    query = {"per_page": "100"} if target.paging == "link" else {"per_page": "100", "sort": "asc", "order_by": "created_at"}
    url: str | None = f"{target.api}{target.comments}?{urllib.parse.urlencode(query)}"
    pages = 0
    while url is not None:
        if pages == MAX_PAGES:
            raise CommentError(f"{target.platform}: more than {MAX_PAGES} pages of comments; not searched further")
        pages += 1
        answer = request(target, "GET", url)
        if not isinstance(answer.data, list):
            raise CommentError(f"{target.platform}: the list of comments is not a JSON list")
        yield from (item for item in answer.data if isinstance(item, dict))
        if target.paging == "link":
            url = _next_link(answer.headers.get("link", ""))
            if url is not None and not _same_origin(url, target.api):
                raise CommentError(f"{target.platform}: the next page is on another host ({terminal(url)}); not followed")
        else:
            page = answer.headers.get("x-next-page", "").strip()
            url = f"{target.api}{target.comments}?{urllib.parse.urlencode({**query, 'page': page})}" if _DIGITS.match(page) else None


def find(target: Target, key: str) -> dict[str, Any] | None:
    """The oldest comment whose first line is the key's marker (GitLab's system notes never)."""
    line = marker(key)
    for item in comments(target):
        body = item.get("body")
        if isinstance(body, str) and not item.get("system") and body.split("\n", 1)[0].rstrip("\r ") == line:
            return item
    return None


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip()


def post(target: Target, text: str, key: str = "default", unchanged_delta: bool = False) -> Outcome:
    """Create, update or leave the PR's comment for `key` (see the module's docstring)."""
    body = compose(key, text)
    existing = find(target, key)
    if existing is None:
        if unchanged_delta:
            return Outcome("skipped", None, "the delta says nothing changed and there is no comment yet; none posted")
        answer = request(target, "POST", f"{target.api}{target.comments}", {"body": body})
        return Outcome("created", _id(answer.data), f"comment created{_where(answer.data)}")
    comment_id = _id(existing)
    if _normal(str(existing.get("body"))) == _normal(body):
        return Outcome("unchanged", comment_id, f"comment {comment_id} already says this; not updated")
    url = target.api + target.comment.format(id=comment_id)
    answer = request(target, target.update_method, url, {"body": body})
    return Outcome("updated", comment_id, f"comment {comment_id} updated{_where(answer.data)}")


def _id(item: Any) -> int:
    value = item.get("id") if isinstance(item, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        raise CommentError("the platform's answer has no comment id")
    return value


def _where(item: Any) -> str:
    url = item.get("html_url") if isinstance(item, dict) else None
    return f": {terminal(url)}" if isinstance(url, str) and url else ""
