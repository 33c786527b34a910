"""Key pages under load on the large seed, beside a bare Django baseline measured in the same run
(issue 13); then the periodic sweeps over the same data; everything written to bench/results.md.

`make bench` (after the upload and dossier benches, whose printed figures it includes), or
`make bench-pages` alone:

1. The large seed (`manage.py seed_large`: 20 organisations, 1,000 evidence items, 100 findings,
   1,000,000 trail rows) is made once into a PostgreSQL TEMPLATE database,
   `<BENCH_DATABASE_URL's name>_large_tpl`, and reused while the migrations, the seed command
   and its arguments stay the same (a fingerprint is kept as the database's comment; --reseed
   forces it). Its stored evidence files live beside it under var/bench-large/.
2. Each run copies the template into `<name>_large` (CREATE DATABASE ... TEMPLATE), so the pages
   and sweeps never change the cached seed.
3. Per page, in this process: a Django test client with the same session (or API token) counts
   the SQL queries of one request (CaptureQueriesContext) and checks the answer is a 200.
4. gunicorn (2 sync workers, production settings: DEBUG off, persistent database connections)
   serves the product's URLs plus a baseline page (bench/urls.py: a view and template that read
   and render 50 rows, through the same middleware). A small load generator (threads, one
   persistent http.client connection each, 8 by default) first warms every page up, then loads
   it for --seconds: req/s, p50, p99, bytes. The baseline runs first and last; each page's ratio
   is against their mean. Goal per page: >= 0.5x the baseline's req/s and p99 < 150 ms.
   A page whose single in-process request already takes more than --slow-limit seconds is not
   loaded (it would take minutes): reported with its in-process time, goal not met.
5. The sweeps (Celery beat's periodic tasks and evidence_verify) over the large seed, in this
   process, twice each (the second run finds nothing left to do).

The logged-in people are the seed's officer of "large" and its auditor, sessions made directly in
the database (a login with the second factor passed, as django-otp records it); the API lists
use a bearer token of the officer.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hdsready_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
VAR = ROOT / "var" / "bench-large"
RESULTS = ROOT / "bench" / "results.md"
# Fixed keys: the template's trail is chained with TRAIL_KEY, so every run must use the same.
BENCH_TRAIL_KEY = "bench-only-trail-key-not-secret"
BENCH_SECRET_KEY = "bench-only-secret-key-not-secret-0123456789-abcdefghijklmnop"  # noqa: S105
GOAL_RATIO = 0.5
GOAL_P99_MS = 150.0
SEED_DEFAULTS = {"organisations": 20, "items": 1000, "findings": 100, "trail_rows": 1_000_000}


# --- databases ----------------------------------------------------------------------------------


def admin_connect(url: str) -> Any:
    import psycopg

    admin = urlsplit(url)._replace(path="/postgres").geturl()
    try:
        return psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        sys.exit(f"page bench: PostgreSQL is not reachable at {admin} ({error}). Start it or set "
                 "BENCH_DATABASE_URL.")  # fmt: skip


def database_url(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def fingerprint(seed_args: dict[str, int]) -> str:
    """What the seeded template depends on: every migration, the seed command, its arguments."""
    digest = hashlib.sha256(json.dumps(seed_args, sort_keys=True).encode())
    digest.update(BENCH_TRAIL_KEY.encode())
    files = [
        *sorted(ROOT.glob("*/migrations/*.py")),
        ROOT / "audits/management/commands/seed_large.py",
        ROOT / "audits/management/commands/seed_demo_cycle.py",
    ]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def bench_env(*, database: str, redis_url: str, media: Path) -> dict[str, str]:
    """Production settings (DEBUG off), served over plain HTTP on the loopback."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hdsready.settings",
        "DEBUG": "false",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "TRAIL_KEY": BENCH_TRAIL_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "HDSREADY_VAR_DIR": str(VAR),
        "MEDIA_ROOT": str(media),
        "TRAIL_CHECKPOINT_DIR": str(VAR / "checkpoints"),
        "MAIL_BACKEND": "file",
        "EMAIL_FILE_PATH": str(VAR / "mail"),
        "ROOT_URLCONF": "bench.urls",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own interpreter and manage.py, no shell)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"page bench: manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Template:
    name: str
    seconds: float
    seeded_at: str
    reused: bool
    output: str


def ensure_template(
    url: str, redis_url: str, seed_args: dict[str, int], *, reseed: bool
) -> tuple[Template, Path]:
    """The seeded template database, made when missing or out of date."""
    from psycopg import sql

    base = urlsplit(url).path.lstrip("/")
    template, seeding = f"{base}_large_tpl", f"{base}_large_seeding"
    mark = fingerprint(seed_args)
    media = VAR / f"media-{template}-{mark}"
    with admin_connect(url) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [template],
        ).fetchone()
        if row is not None and not reseed and row[0] and media.is_dir():
            meta = json.loads(row[0])
            if meta.get("fingerprint") == mark:
                log = VAR / f"seed-{template}-{mark}.log"
                return Template(
                    template,
                    meta["seconds"],
                    meta["seeded_at"],
                    reused=True,
                    output=log.read_text() if log.exists() else "",
                ), media
        print(f"page bench: seeding the large template {template} (takes minutes, once)...")
        for name in (template, seeding):
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))  # fmt: skip
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(seeding)))
        for old in VAR.glob(f"media-{template}-*"):
            shutil.rmtree(old)
        media.mkdir(parents=True)
        env = bench_env(database=database_url(url, seeding), redis_url=redis_url, media=media)
        started = time.perf_counter()
        manage(env, "migrate", "--no-input", "-v0")
        migrated = time.perf_counter() - started
        output = manage(
            env,
            "seed_large",
            "--force",  # DEBUG is off: production settings, as gunicorn serves them
            *(f"--{key.replace('_', '-')}={value}" for key, value in seed_args.items()),
        )
        seconds = time.perf_counter() - started
        output = f"migrate: {migrated:.1f} s\n{output}"
        (VAR / f"seed-{template}-{mark}.log").write_text(output)
        seeded_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        # Statistics for the planner, as autovacuum would gather them on a live database.
        import psycopg

        with psycopg.connect(database_url(url, seeding), autocommit=True) as seeded:
            seeded.execute("VACUUM ANALYZE")
        admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(seeding), sql.Identifier(template)))  # fmt: skip
        meta = json.dumps({"fingerprint": mark, "seconds": seconds, "seeded_at": seeded_at})
        admin.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(template), sql.Literal(meta)))  # fmt: skip
    print(output)
    return Template(template, seconds, seeded_at, reused=False, output=output), media


def copy_template(url: str, template: str) -> tuple[str, float]:
    from psycopg import sql

    name = f"{urlsplit(url).path.lstrip('/')}_large"
    started = time.perf_counter()
    with admin_connect(url) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))  # fmt: skip
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)))  # fmt: skip
    return database_url(url, name), time.perf_counter() - started


# --- the pages ----------------------------------------------------------------------------------


@dataclass
class Page:
    label: str
    path: str
    who: str  # "officer", "auditor" or "token"
    queries: int = 0
    size: int = 0
    in_process: float = 0.0
    load: Load | None = None
    note: str = ""


@dataclass
class Load:
    requests: int
    errors: int
    seconds: float
    latencies: list[float] = field(repr=False)
    size: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class People:
    headers: dict[str, dict[str, str]]
    pages: list[Page]


def people_and_pages() -> People:
    """Sessions of the officer and the auditor (second factor passed), a token, and the pages."""
    from django.conf import settings
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from audits.management.commands.seed_large import AUDITOR_EMAIL, DOMAIN, LARGE_SLUG
    from audits.models import Audit
    from evidence.models import EvidenceItem
    from hdsready.models import User
    from hdsready.services.tokens import api_token_create

    headers: dict[str, dict[str, str]] = {}
    for who, email in (("officer", f"officer@{DOMAIN}"), ("auditor", AUDITOR_EMAIL)):
        user = User.objects.get(email=email)
        client = Client()
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
        session.save()
        headers[who] = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}
    officer = User.objects.get(email=f"officer@{DOMAIN}")
    _token, raw = api_token_create(user=officer, name="page bench", actor=officer)
    headers["token"] = {"Authorization": f"Bearer {raw}"}

    slug = LARGE_SLUG
    audit = Audit.objects.filter(cycle__organisation__slug=slug).order_by("pk").first()
    items = EvidenceItem.objects.filter(organisation__slug=slug).order_by("pk")
    item = items[items.count() // 2]  # one with an ordinary history, not the first or last
    if audit is None:
        sys.exit("page bench: the seed has no audit")
    o = f"/o/{slug}"
    pages = [
        Page("officer home", f"{o}/", "officer"),
        Page("home: my work (fragment)", f"{o}/home/my-work/", "officer"),
        Page("home: progress (fragment)", f"{o}/home/progress/", "officer"),
        Page("home: certification (fragment)", f"{o}/home/certification/", "officer"),
        Page("readiness HDS", f"{o}/readiness/hds/", "officer"),
        Page("readiness ISO 27001", f"{o}/readiness/iso27001/", "officer"),
        Page("evidence list", f"{o}/evidence/", "officer"),
        Page("evidence item", f"{o}/evidence/{item.pk}/", "officer"),
        Page("audit page (officer)", f"{o}/audits/{audit.pk}/", "officer"),
        Page("audit reviews (officer)", f"{o}/audits/{audit.pk}/reviews/", "officer"),
        Page("audit page (auditor)", f"/auditor/audits/{audit.pk}/", "auditor"),
        Page("review page (auditor)", f"/auditor/audits/{audit.pk}/review/", "auditor"),
        Page("trail", f"{o}/trail/", "officer"),
        Page("chain", f"{o}/chain/", "officer"),
        Page("SoA", f"{o}/soa/", "officer"),
        Page("API evidence list", f"/api{o}/evidence/", "token"),
        Page("API readiness list", f"/api{o}/readiness/", "token"),
        Page("API SoA list", f"/api{o}/soa/", "token"),
        Page("API findings list", f"/api{o}/findings/", "token"),
    ]
    return People(headers, pages)


def count_queries(page: Page, headers: dict[str, str]) -> None:
    """One request in this process (after one to warm up): queries, size, time; must be a 200."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    extra = {f"HTTP_{name.upper()}": value for name, value in headers.items()}
    for attempt in range(2):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path, **extra)  # type: ignore[arg-type]
        page.in_process = time.perf_counter() - started
        if response.status_code != 200:
            sys.exit(f"page bench: {page.label} ({page.path}) answered {response.status_code}")
        page.queries = len(captured.captured_queries)
        page.size = len(response.content)
        if attempt == 0 and page.in_process > 2.0:
            break  # a slow page once is enough


def load(
    *, port: int, path: str, headers: dict[str, str], connections: int, warmup: float,
    seconds: float,
) -> Load:  # fmt: skip
    """`connections` threads, each with its own persistent connection: a warm-up of `warmup`
    seconds, then `seconds` of requests; those in flight at the end are waited for."""
    barrier = threading.Barrier(connections + 1)
    latencies: list[float] = []
    sizes: list[int] = []
    errors = [0]
    lock = threading.Lock()
    phase: dict[str, float] = {}

    def run() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

        def one() -> tuple[float, int, int]:
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            return time.perf_counter() - started, response.status, len(body)

        barrier.wait()
        while time.perf_counter() < phase["warm_until"]:
            one()
        barrier.wait()  # everyone warm: the measured phase starts together
        barrier.wait()
        mine: list[tuple[float, int, int]] = []
        while time.perf_counter() < phase["stop_at"]:
            mine.append(one())
        connection.close()
        with lock:
            for latency, status, size in mine:
                latencies.append(latency)
                sizes.append(size)
                errors[0] += status != 200

    threads = [threading.Thread(target=run, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    phase["warm_until"] = time.perf_counter() + warmup
    barrier.wait()
    barrier.wait()
    started = time.perf_counter()
    phase["stop_at"] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return Load(
        requests=len(latencies),
        errors=errors[0],
        seconds=elapsed,
        latencies=latencies,
        size=int(statistics.median(sizes)) if sizes else 0,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(env: dict[str, str], *, workers: int, port: int, log: Path) -> Any:
    command = [
        sys.executable, "-m", "gunicorn", "hdsready.wsgi:application", "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "300",
    ]  # fmt: skip
    with log.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter, no shell)
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"page bench: gunicorn stopped:\n{log.read_text()}")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/login/")
            if probe.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"page bench: gunicorn did not answer:\n{log.read_text()}")


# --- the sweeps ---------------------------------------------------------------------------------


def sweeps() -> list[tuple[str, float, str, float, str]]:
    """Each periodic task (as Celery beat runs it), then evidence_verify: (name, first run,
    its result, second run, its result)."""
    from audits.tasks import auditor_access_sweep, correction_windows_sweep, reminders_sweep_task
    from dossiers.tasks import dossiers_stale_sweep_task
    from evidence.services import VerifyProblem, evidence_verify_all
    from hdsready.tasks import invitations_expire, trail_verify

    def evidence_verify() -> str:
        problems = checked = 0
        for outcome in evidence_verify_all():
            checked += 1
            problems += isinstance(outcome, VerifyProblem)
        return f"{checked} files checked, {problems} problems"

    # (name, task, runs): a verification does the same work again, once is enough.
    tasks: list[tuple[str, Callable[[], object], int]] = [
        ("correction_windows_sweep (every 15 min)", correction_windows_sweep, 2),
        ("auditor_access_sweep (hourly)", auditor_access_sweep, 2),
        ("invitations_expire (hourly)", invitations_expire, 2),
        ("dossiers_stale_sweep_task (every 5 min)", dossiers_stale_sweep_task, 2),
        ("reminders_sweep_task (daily)", reminders_sweep_task, 2),
        ("trail_verify + checkpoint (nightly)", trail_verify, 1),
        ("evidence_verify (command: every stored file re-hashed)", evidence_verify, 1),
    ]
    timed = []
    for name, task, count in tasks:
        runs = []
        for _ in range(count):
            started = time.perf_counter()
            result = task()
            runs.append((time.perf_counter() - started, str(result)[:60]))
        first, second = runs[0], runs[1] if count > 1 else (float("nan"), "(not run again)")
        timed.append((name, first[0], first[1], second[0], second[1]))
        print(f"  sweep {name}: {first[0]:.2f} s ({first[1]}), again {second[0]:.2f} s")
    return timed


# --- the machine and the report -----------------------------------------------------------------


def machine() -> list[str]:
    from django.db import connection

    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    commit = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    import django
    import gunicorn

    return [
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- commit: {commit}{' (with uncommitted changes)' if dirty else ''}",
        f"- machine: {cpu}, {os.cpu_count()} logical cores, "
        f"{int(memory[1]) / 1024 / 1024:.1f} GiB RAM"
        if memory
        else f"- machine: {cpu}",
        f"- Python {platform.python_version()}, Django {django.__version__}, gunicorn "
        f"{gunicorn.__version__}, PostgreSQL {postgres} (same machine), {platform.system()} "
        f"{platform.release()}",
    ]


def git(*args: str) -> str:
    git_path = shutil.which("git") or "git"
    done = subprocess.run(  # noqa: S603 (git, fixed arguments, no shell)
        [git_path, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def report(
    *,
    pages: list[Page],
    baselines: list[Load],
    baseline: Page,
    template: Template,
    copied: float,
    sweep_rows: list[tuple[str, float, str, float, str]],
    includes: list[tuple[str, Path]],
    args: argparse.Namespace,
    host: list[str],
    seed_args: dict[str, int],
) -> str:
    base_rate = statistics.mean(run.rate for run in baselines)
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/pages.py); the integrator re-runs it after merging. "
        "Figures of one run on one machine: compare pages with the baseline of the same run, "
        "not across machines.",
        "",
        *host,
        "",
        "## Pages on the large seed",
        "",
        f"Seed: `manage.py seed_large` ({seed_args['organisations']} organisations, "
        f"{seed_args['items']:,} evidence items of the large host, {seed_args['findings']} "
        f"findings on one audit, {seed_args['trail_rows']:,} trail rows). Seeding (migrate + "
        f"seed) took **{template.seconds / 60:.1f} min** ({template.seconds:.0f} s) on "
        f"{template.seeded_at}"
        + (", reused from the cached template database" if template.reused else ", this run")
        + f"; the run's copy of the template: {copied:.1f} s.",
        "",
        f"gunicorn, {args.workers} sync workers, production settings (DEBUG off, persistent "
        f"database connections, CONN_MAX_AGE 60); {args.connections} concurrent connections "
        f"from a Python load generator on the same machine; {args.warmup:g} s of warm-up, then "
        f"{args.seconds:g} s of load per page. Queries and in-process time: one request "
        "through Django's test client in the bench process. Baseline: a bare page reading and "
        f"rendering 50 rows (bench/urls.py), {len(baselines)} runs: "
        + ", ".join(f"{run.rate:.0f}" for run in baselines)
        + f" req/s, mean **{base_rate:.0f} req/s**. Goal: >= {GOAL_RATIO}x the baseline's "
        f"req/s and p99 < {GOAL_P99_MS:.0f} ms.",
        "",
        "| page | queries | bytes | in-process ms | req/s | p50 ms | p99 ms | x baseline | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    missed = []
    for page in [baseline, *pages]:
        if page.load is None:
            lines.append(
                f"| {page.label} | {page.queries} | {page.size:,} | {ms(page.in_process)} | "
                f"- | - | - | - | not met ({page.note}) |"
            )
            missed.append(page)
            continue
        run = page.load
        ratio = run.rate / base_rate if base_rate else 0
        p99 = run.percentile(0.99) * 1000
        met = ratio >= GOAL_RATIO and p99 < GOAL_P99_MS and not run.errors
        if page is baseline:
            verdict = "(baseline)"
        else:
            verdict = "met" if met else "**not met**"
            if not met:
                missed.append(page)
        errors = f", {run.errors} errors" if run.errors else ""
        lines.append(
            f"| {page.label} | {page.queries} | {run.size or page.size:,} | "
            f"{ms(page.in_process)} | {run.rate:.1f} | {ms(run.percentile(0.5))} | {p99:.0f} "
            f"| {ratio:.2f} | {verdict}{errors} |"
        )
    base_p99 = baseline.load.percentile(0.99) * 1000 if baseline.load else 0.0
    if base_p99 >= GOAL_P99_MS:
        lines += [
            "",
            f"Note: the baseline itself has a p99 of {base_p99:.0f} ms at {args.connections} "
            f"connections here, over the {GOAL_P99_MS:.0f} ms of the goal: this machine, in this "
            "run, cannot show the absolute part of the goal; the ratios to the baseline still "
            "compare the pages.",
        ]
    lines += [
        "",
        f"Goal met by {len(pages) - len(missed)} of {len(pages)} pages."
        + (" Not met: " + ", ".join(page.label for page in missed) + "." if missed else ""),
        "",
        "Paths: " + "; ".join(f"{page.label} `{page.path}`" for page in pages) + ".",
        "",
        "## Sweeps over the large seed",
        "",
        "Each periodic task as Celery beat runs it (in the bench process, tasks eager, e-mails "
        "to files), twice: the second run finds what the first did and has nothing left to do "
        "(the verifications once: they do the same work again).",
        "",
        "| task | first run s | result | second run s | result |",
        "|---|---:|---|---:|---|",
        *(
            f"| {name} | {first:.2f} | {first_result} | "
            + ("-" if math.isnan(second) else f"{second:.2f}")
            + f" | {second_result} |"
            for name, first, first_result, second, second_result in sweep_rows
        ),
        "",
    ]
    for title, path in includes:
        lines.append(f"## {title}")
        lines.append("")
        if path.exists():
            stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M")
            lines += [f"`{path.relative_to(ROOT)}`, written {stamp} UTC:", "", "```"]
            lines += path.read_text().rstrip().splitlines()
            lines += ["```", ""]
        else:
            lines += [f"(not run: no {path.relative_to(ROOT)})", ""]
    # The step timings; not the personas' credentials (new at each seeding, but not for git).
    timings = [
        line
        for line in template.output.rstrip().splitlines()
        if "password:" not in line and not line.startswith(("Log in", "(add the secret"))
    ]
    lines += ["## Seed output", "", "```", *timings, "```", ""]
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description="Key pages under load beside a baseline.")
    parser.add_argument("--seconds", type=float, default=5.0, help="load per page")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--slow-limit", type=float, default=2.0)
    parser.add_argument("--reseed", action="store_true", help="seed the template again")
    parser.add_argument("--only", help="a regular expression: the pages whose label matches")
    parser.add_argument("--no-sweeps", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="TITLE=FILE",
        help="another bench's printed figures, copied into the results",
    )
    for key, value in SEED_DEFAULTS.items():
        parser.add_argument(f"--{key.replace('_', '-')}", type=int, default=value)
    args = parser.parse_args()
    seed_args = {key: getattr(args, key) for key in SEED_DEFAULTS}
    includes = [(title, ROOT / path) for title, path in (s.split("=", 1) for s in args.include)]

    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    if "bench" not in urlsplit(url).path:
        sys.exit(f"page bench: {url}: the database's name must contain 'bench' (its copies are "
                 "dropped and made again).")  # fmt: skip
    VAR.mkdir(parents=True, exist_ok=True)
    template, media = ensure_template(url, redis_url, seed_args, reseed=args.reseed)
    print(f"page bench: template {template.name}, seeded in {template.seconds:.0f} s "
          f"({'cached' if template.reused else 'now'})")  # fmt: skip
    run_url, copied = copy_template(url, template.name)
    env = bench_env(database=run_url, redis_url=redis_url, media=media)
    for directory in ("checkpoints", "mail"):
        shutil.rmtree(VAR / directory, ignore_errors=True)
    manage(env, "collectstatic", "--no-input", "-v0")
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connections

    people = people_and_pages()
    pages = people.pages
    if args.only:
        pages = [page for page in pages if re.search(args.only, page.label, re.IGNORECASE)]
    from bench.urls import BASELINE_PATH

    baseline = Page("baseline: 50 rows, bare Django", f"/{BASELINE_PATH}", "officer")
    for page in [baseline, *pages]:
        count_queries(page, people.headers[page.who])
        print(f"  {page.label}: {page.queries} queries, {page.size:,} bytes, "
              f"{page.in_process * 1000:.0f} ms in-process")  # fmt: skip
    connections.close_all()

    load_before = os.getloadavg()
    port = free_port()
    process = start_gunicorn(env, workers=args.workers, port=port, log=VAR / "gunicorn.log")
    baselines: list[Load] = []
    try:

        def measure(page: Page) -> Load:
            run = load(
                port=port,
                path=page.path,
                headers=people.headers[page.who],
                connections=args.connections,
                warmup=args.warmup,
                seconds=args.seconds,
            )
            print(f"  {page.label}: {run.rate:.1f} req/s, p50 {ms(run.percentile(0.5))} ms, "
                  f"p99 {ms(run.percentile(0.99))} ms, {run.errors} errors")  # fmt: skip
            return run

        baselines.append(measure(baseline))
        for page in pages:
            if page.in_process > args.slow_limit:
                page.note = (
                    f"one request takes {page.in_process:.1f} s in-process: not loaded "
                    f"(> {args.slow_limit:g} s)"
                )
                print(f"  {page.label}: {page.note}")
                continue
            page.load = measure(page)
        baselines.append(measure(baseline))
        baseline.load = Load(
            requests=sum(run.requests for run in baselines),
            errors=sum(run.errors for run in baselines),
            seconds=sum(run.seconds for run in baselines),
            latencies=[latency for run in baselines for latency in run.latencies],
            size=baselines[0].size,
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
    load_after = os.getloadavg()

    sweep_rows = [] if args.no_sweeps else sweeps()
    text = report(
        pages=pages,
        baselines=baselines,
        baseline=baseline,
        template=template,
        copied=copied,
        sweep_rows=sweep_rows,
        includes=includes,
        args=args,
        host=[
            *machine(),
            "- load average (1, 5, 15 min) before the pages' load: "
            + ", ".join(f"{value:.1f}" for value in load_before)
            + "; after: "
            + ", ".join(f"{value:.1f}" for value in load_after)
            + " (other work on the machine shows in the figures; the ratios to the baseline "
            "less so)",
        ],
        seed_args=seed_args,
    )
    args.output.write_text(text + "\n")
    print(f"page bench: written to {args.output}")


if __name__ == "__main__":
    main()
