"""Starting in production without a real secret key, and the key a development install
makes for itself: what an operator sees at the shell."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from hub.bootstrap import build_hub
from hub.config import Settings

ENTRY_POINTS = {
    "turnero serve": ["-m", "hub.cli", "serve", "--port", "0"],
    "turnero worker": ["-m", "hub.cli", "worker"],
    "python -m scheduler worker": ["-m", "scheduler", "worker"],
}


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TURNERO_")}
    env.update({"TURNERO_DATA_DIR": str(tmp_path), **extra})
    return env


@pytest.mark.parametrize(
    ("name", "secret", "says"),
    [
        *((name, None, "TURNERO_SECRET_KEY must be set when TURNERO_PRODUCTION is on")
          for name in ENTRY_POINTS),
        ("turnero serve", "change-me-in-production", "TURNERO_SECRET_KEY is not a real secret"),
        ("turnero serve", "short-secret", "TURNERO_SECRET_KEY is not a real secret"),
    ],
)  # fmt: skip
def test_production_refuses_to_start_without_a_real_secret(
    tmp_path: Path, name: str, secret: str | None, says: str
) -> None:
    extra = {"TURNERO_PRODUCTION": "1"}
    if secret is not None:
        extra["TURNERO_SECRET_KEY"] = secret
    done = subprocess.run(
        [sys.executable, *ENTRY_POINTS[name]],
        env=environment(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1 and says in done.stderr, done.stderr
    assert not (tmp_path / "turnero.db").exists()  # refused before touching anything
    assert not (tmp_path / "secret_key").exists()


def test_production_starts_with_a_real_secret(tmp_path: Path) -> None:
    key = "k" * 8 + "-a-real-random-value-0123456789abcdef"
    settings = Settings.from_env(
        environment(tmp_path, TURNERO_PRODUCTION="1", TURNERO_SECRET_KEY=key)
    )
    hub = build_hub(settings)
    try:
        assert hub.settings.secret_key == key
        # Production seals credentials only with a key the operator gave.
        assert hub.settings.encryption_key is None
    finally:
        hub.close()
    assert not (tmp_path / "secret_key").exists()
    assert not (tmp_path / "encryption_key").exists()


def test_a_development_install_makes_one_key_and_every_process_shares_it(
    tmp_path: Path,
) -> None:
    # Four processes sharing the data directory start at the same moment.
    script = (
        "from hub.bootstrap import build_hub; from hub.config import Settings;"
        "s = build_hub(Settings.from_env()).settings; print(s.secret_key, s.encryption_key)"
    )
    starting = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            env=environment(tmp_path),
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    pairs = {process.communicate(timeout=60)[0].strip() for process in starting}
    key_file = tmp_path / "secret_key"
    sealing_file = tmp_path / "encryption_key"
    assert pairs == {f"{key_file.read_text().strip()} {sealing_file.read_text().strip()}"}
    assert len(key_file.read_text().strip()) >= 32
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert sealing_file.stat().st_mode & 0o777 == 0o600
    # The sealing key is a Fernet key: what was sealed by one process opens in another.
    sealed = Fernet(sealing_file.read_text().strip().encode()).encrypt(b"EAAG-token")
    assert Fernet(sealing_file.read_text().strip().encode()).decrypt(sealed) == b"EAAG-token"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["encryption_key", "secret_key"]
    # A later start reads the same key.
    again = build_hub(Settings.from_env(environment(tmp_path)))
    try:
        assert again.settings.secret_key == key_file.read_text().strip()
        assert again.settings.encryption_key == sealing_file.read_text().strip()
    finally:
        again.close()
