"""A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (npm),
run by node on 127.0.0.1 with its own login and consent pages (tests/oidc/provider/)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROVIDER_DIR = Path(__file__).parent / "provider"
CLIENT_ID = "hdsready"
CLIENT_SECRET = "a-client-secret-for-the-tests"
PASSWORD = "provider-password"
START_TIMEOUT_SECONDS = 30


def node_modules_ensure() -> None:
    """A fresh clone has no node_modules: install the locked packages from the npm registry."""
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    assert npm, "npm is needed to run the OpenID provider of the single sign-on tests"
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PROVIDER_DIR,
        check=True,
        timeout=300,
    )


def account(
    email: str,
    *,
    email_verified: Any = True,
    amr: Any = None,
    acr: Any = None,
    name: str = "",
) -> dict[str, Any]:
    """One person at the provider; `amr`/`acr` None: the ID token carries no such claim."""
    entry: dict[str, Any] = {
        "password": PASSWORD,
        "claims": {"email": email, "email_verified": email_verified, "name": name},
    }
    if amr is not None:
        entry["amr"] = amr
    if acr is not None:
        entry["acr"] = acr
    return entry


@dataclass(frozen=True)
class RunningProvider:
    issuer: str


@contextmanager
def running_provider(
    *, redirect_uris: list[str], accounts: dict[str, dict[str, Any]]
) -> Iterator[RunningProvider]:
    node_modules_ensure()
    node = shutil.which("node")
    assert node, "node is needed to run the OpenID provider of the single sign-on tests"
    config = {
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
            }
        ],
        "accounts": accounts,
    }
    process = subprocess.Popen(
        [node, "provider.mjs", json.dumps(config)],
        cwd=PROVIDER_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("READY "), f"the OpenID provider did not start: {line!r}"
        yield RunningProvider(issuer=f"http://127.0.0.1:{int(line.split()[1])}")
    finally:
        process.terminate()
        process.wait(timeout=10)
