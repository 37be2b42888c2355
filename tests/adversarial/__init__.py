"""Adversarial inputs: a scanned repository is untrusted, all of it (issue 17, docs/security.md).

Every test generates its fixture in tmp_path and asserts the exit code, one located message,
and that the rest of the repository was still scanned."""

SECRET = "SECRET-TOKEN-4711"


def lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]
