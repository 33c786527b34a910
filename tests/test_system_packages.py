"""scripts/system-packages.sh: the one list of Debian packages, used by .ci/run and `make test`.

Each case runs the script (or make) with a PATH of its own: fake `id`, `sudo` and `apt-get`
stand in for root, sudo and apt, so nothing is installed and the real machine does not matter.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "system-packages.sh"
BASH = shutil.which("bash") or "/bin/bash"
# What the machine must have; the packages that bring the commands checked through PATH.
EXPECTED = {
    "chromium",
    "poppler-utils",
    "gettext",
    "docker-compose",
    "nodejs",
    "npm",
    "libmagic1",
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz-subset0",
    "fonts-dejavu-core",
}
COMMAND_PACKAGES = ["chromium", "poppler-utils", "gettext", "docker-compose", "nodejs", "npm"]


def _fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!{BASH}\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def _bare_path(tmp_path: Path, *, uid: int, tools: tuple[str, ...] = ()) -> Path:
    """A bin directory with what the script itself needs, a fake `id`, and `tools` linked in
    from the machine; chromium, pdftotext, msgfmt and docker-compose are absent unless given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "grep", "make", "dirname", *tools):
        found = shutil.which(tool)
        assert found is not None, tool
        (bin_dir / tool).symlink_to(found)
    _fake(bin_dir, "id", f"echo {uid}")
    return bin_dir


def _run(args: list[str], bin_dir: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(bin_dir), "HOME": str(bin_dir.parent)}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_list_is_the_one_ci_installs() -> None:
    listed = subprocess.run(
        [BASH, str(SCRIPT), "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert set(listed) == EXPECTED
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/system-packages.sh" in ci
    # No second list: CI installs nothing by itself.
    assert "apt-get install" not in ci


def test_without_root_or_sudo_it_stops_with_the_command(tmp_path: Path) -> None:
    bin_dir = _bare_path(tmp_path, uid=1000)
    result = _run([BASH, str(SCRIPT)], bin_dir)
    assert result.returncode == 1
    expected = "apt-get install -y --no-install-recommends " + " ".join(COMMAND_PACKAGES)
    assert expected in result.stderr


def test_a_present_tool_is_not_asked_for(tmp_path: Path) -> None:
    bin_dir = _bare_path(tmp_path, uid=1000)
    _fake(bin_dir, "pdftotext", "exit 0")
    result = _run([BASH, str(SCRIPT), "--check"], bin_dir)
    assert result.returncode == 1
    assert "chromium gettext docker-compose" in result.stderr
    assert "poppler-utils" not in result.stderr


def test_as_root_it_installs_exactly_what_is_missing(tmp_path: Path) -> None:
    bin_dir = _bare_path(tmp_path, uid=0)
    log = tmp_path / "apt.log"
    _fake(bin_dir, "apt-get", f'echo "$*" >> {log}')
    result = _run([BASH, str(SCRIPT)], bin_dir)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == "update -qq"
    assert calls[1] == "install -y -qq --no-install-recommends " + " ".join(COMMAND_PACKAGES)


def test_with_passwordless_sudo_it_installs_through_sudo(tmp_path: Path) -> None:
    bin_dir = _bare_path(tmp_path, uid=1000)
    log = tmp_path / "sudo.log"
    _fake(bin_dir, "sudo", f'[ "$1" = -n ] && exit 0; echo "$*" >> {log}')
    _fake(bin_dir, "apt-get", "exit 99")  # only through sudo
    result = _run([BASH, str(SCRIPT)], bin_dir)
    assert result.returncode == 0, result.stderr
    assert log.read_text().splitlines()[1].startswith("apt-get install -y -qq")


def test_make_test_stops_at_once_with_the_command(tmp_path: Path) -> None:
    bin_dir = _bare_path(tmp_path, uid=1000)
    result = _run(["make", "--no-print-directory", "test"], bin_dir)
    assert result.returncode != 0
    assert "sudo apt-get update && sudo apt-get install" in result.stderr
    # Nothing after the check ran: no lint, no types, no pytest.
    assert "ruff" not in result.stdout + result.stderr
    assert "mypy" not in result.stdout + result.stderr


def test_this_machine_has_everything() -> None:
    """`make test` ran the script before pytest, so nothing may be missing here."""
    result = subprocess.run(
        [BASH, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
