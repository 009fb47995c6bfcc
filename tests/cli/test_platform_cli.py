"""``turnero platform-admin create`` and ``turnero user invite`` as an operator uses them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import count, env, make_business, run

__all__ = ["env"]  # the fixture, used here by name


def test_a_platform_admin_is_created_and_a_weak_password_refused(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run("platform-admin", "create", "--email", "root@x.test", "--password", "short")
    assert code == 1 and "at least 8" in capsys.readouterr().err
    code, out = run(
        "platform-admin", "create", "--email", "root@x.test", "--password", "s3cret-pass"
    )
    assert code == 0 and "created platform admin root@x.test" in out
    assert count(env, "users") == 1


def test_the_first_admin_is_invited_by_email(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_business()
    code, out = run("user", "invite", "--business", "taller", "--email", "Duenia@Taller.test")
    assert code == 0, capsys.readouterr().err
    assert "invited business_admin duenia@taller.test to taller" in out
    (mail,) = (tmp_path / "outbox-mail").glob("*.eml")
    text = mail.read_text(errors="replace")
    assert "duenia@taller.test" in text and "/console/set-password/" in text
    code, _ = run("user", "invite", "--business", "nada", "--email", "x@taller.test")
    assert code == 1 and "no business" in capsys.readouterr().err


def test_the_demo_has_a_platform_admin(env: str) -> None:
    code, out = run("demo")
    assert code == 0 and "admin@turnero.demo" in out and "platform_admin" in out
    users = count(env, "users")
    assert run("demo")[0] == 0 and count(env, "users") == users
