"""The lock: uv.lock and the hash-checked requirements every install uses pin the same
versions, so whichever a tool reads, a fresh clone gets what the suite was tested with."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def test_uv_lock_and_the_requirements_pin_the_same_versions() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    project = _name(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"])
    locked = {
        _name(p["name"]): p["version"] for p in lock["package"] if _name(p["name"]) != project
    }
    text = (ROOT / "requirements" / "dev.txt").read_text()
    pinned = {
        _name(m[1]): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", text, re.M)
    }
    assert pinned, "requirements/dev.txt pins nothing"
    assert {k: v for k, v in locked.items() if k in pinned} == pinned
    missing = sorted(set(pinned) - set(locked))
    assert missing == []
