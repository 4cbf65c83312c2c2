"""A checkov finding is accepted only with its reason next to the code."""

import re

from infra_tree import INFRA, tf_files

SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")


def skips():
    return [
        (path, m.group(1), (m.group(2) or "").strip())
        for path in tf_files()
        for m in SKIP.finditer(path.read_text(encoding="utf-8"))
    ]


def test_every_skip_gives_a_reason():
    assert skips(), "expected the documented skips (key policy, EMR in transit, ...)"
    for path, check, reason in skips():
        assert check.startswith(("CKV_", "CKV2_")), f"{path}: {check}"
        assert len(reason.split()) >= 5, f"{path}: {check} skipped without a real reason"


def test_no_global_skip_list():
    config = (INFRA / ".checkov.yaml").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(skip-check|soft-fail)", config, re.M)
