"""How fast the full dossier is laid out, against one naive WeasyPrint pass (issue 6).

`make bench` (after upload_hashing): on a freshly seeded organisation (every requirement, 1,000
evidence versions, 100 findings), measured side by side in one run:

1. ours, cold: a real Celery worker (prefork, 2 processes, a queue of its own, against the bench
   database and Redis, CELERY_TASK_ALWAYS_EAGER=false) and `dossier_request` for the full dossier
   of the seeded cycle; wall time from the request until the dossier is READY (the database is
   polled). Every stored render unit of earlier runs is deleted first, so nothing is reused.
2. ours, after one change: the description of one finding is changed (a direct update: there is
   no service that edits a finding's description) and the full dossier is asked for again.
3. the peak memory (VmHWM) of the worker's pool processes, read just before the worker stops.
4. the baseline: the SAME dossier as ONE HTML document (cover, contents whose page numbers are
   `target-counter()`s, every unit's template with its context in print order, the print
   stylesheet, the running header and "Page X / Y" footer as @page margin boxes) laid out by one
   `HTML(...).write_pdf()` in a fresh subprocess, best of `--naive-runs`; the time is taken inside
   the subprocess around that call (imports excluded, as the worker's are), with its VmHWM.
5. a profile of the cold run: the worker's own task timings (from its log) and the assembly
   re-run in-process on the stored parts, split into contents, overlay and join.

Figures only: no goal fails the run. Needs PostgreSQL and Redis: BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/hdsready_bench, created and migrated if missing; its name must
contain "bench", as the dossiers and render units of earlier runs are deleted from it) and
BENCH_REDIS_URL (default redis://127.0.0.1:6379/14). The machine's other load shows in the
figures: the naive pass and our worker run one after the other, not at the same time.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hdsready_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
WORKER_READY_TIMEOUT = 60.0
DOSSIER_TIMEOUT = 900.0
MIB = 1024 * 1024
HEADING = re.compile(r"<h([12])>(.*?)</h\1>", re.DOTALL)
TASK_DONE = re.compile(r"Task dossiers\.tasks\.(\w+)\[[^\]]+\] succeeded in ([\d.]+)s: (.*)")


# --- the naive pass, in a subprocess of its own -------------------------------------------------


def naive_child(source: Path, target: Path) -> None:
    """Lay out one HTML file with one WeasyPrint call; print the time, pages and VmHWM."""
    from weasyprint import HTML

    started = time.perf_counter()
    document = HTML(filename=str(source), base_url=str(source.parent)).render()
    document.write_pdf(target)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "pages": len(document.pages), "hwm": vm_hwm("self")}))


# --- services -----------------------------------------------------------------------------------


def vm_hwm(pid: int | str) -> int:
    """Peak resident memory of a process, in bytes (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else 0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (2nd field) may hold spaces: the parent pid follows its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def ensure_database(url: str) -> None:
    """Create the bench database when missing; stop with a clear message when PostgreSQL is not
    reachable."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        sys.exit(f"dossier bench: PostgreSQL is not reachable at {admin} ({error}). Start it or "
                 "set BENCH_DATABASE_URL.")  # fmt: skip


def ensure_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        sys.exit(f"dossier bench: Redis is not reachable at {url} ({error}). Start it or set "
                 "BENCH_REDIS_URL.")  # fmt: skip


# --- the Celery worker --------------------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    nodename: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def pool_peak(self) -> tuple[int, int]:
        """The highest VmHWM of the pool processes, and the main process's own."""
        pool = [vm_hwm(child) for child in children_of(self.process.pid)]
        return max(pool, default=0), vm_hwm(self.process.pid)


@contextmanager
def celery_worker(*, queue: str, concurrency: int, log: Path) -> Iterator[Worker]:
    from kombu import Exchange, Queue

    from hdsready.celery import app

    nodename = f"{queue}@bench"
    command = [
        sys.executable, "-m", "celery", "-A", "hdsready", "worker", "--pool=prefork",
        f"--concurrency={concurrency}", "--loglevel=INFO", "--without-heartbeat",
        "--without-gossip", "--without-mingle", "-Q", queue, "-n", nodename,
    ]  # fmt: skip
    with log.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter, no shell)
            command, cwd=ROOT, env=dict(os.environ), stdout=log_file, stderr=subprocess.STDOUT
        )
    worker = Worker(process=process, nodename=nodename, log=log)
    try:
        deadline = time.monotonic() + WORKER_READY_TIMEOUT
        while not app.control.ping(destination=[nodename], timeout=1.0):
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"dossier bench: the Celery worker did not start:\n{worker.output()}")
        yield worker
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        with app.connection_for_write() as connection:
            bound = Queue(queue, Exchange(queue), routing_key=queue)(connection.default_channel)
            bound.declare()  # records the binding in this channel, so delete() removes it too
            bound.purge()
            bound.delete()


def worker_tasks(log: str) -> list[tuple[str, float, str]]:
    """(task, seconds, result) of every task the worker finished, in log order."""
    return [(m[1], float(m[2]), m[3].strip()) for m in TASK_DONE.finditer(log)]


# --- our pipeline -------------------------------------------------------------------------------


def wait_ready(dossier_id: int) -> float:
    from dossiers.models import Dossier, DossierStatus

    deadline = time.monotonic() + DOSSIER_TIMEOUT
    while time.monotonic() < deadline:
        status, error = Dossier.objects.filter(pk=dossier_id).values_list("status", "error").get()
        if status == DossierStatus.READY:
            return time.perf_counter()
        if status == DossierStatus.FAILED:
            sys.exit(f"dossier bench: dossier {dossier_id} failed: {error}")
        time.sleep(0.05)
    sys.exit(f"dossier bench: dossier {dossier_id} not ready after {DOSSIER_TIMEOUT:.0f} s")


@dataclass
class Run:
    seconds: float
    request_seconds: float  # dossier_request itself: plan, unit rows, enqueue
    dossier_id: int
    units: int
    laid_out: int


def request_full_dossier(seeded: Any) -> Run:
    from django.conf import settings

    from dossiers.models import DossierKind, DossierUnit, RenderUnit
    from dossiers.services.request import DossierTarget, dossier_request

    started = time.perf_counter()
    dossier = dossier_request(
        organisation=seeded.organisation,
        target=DossierTarget(kind=DossierKind.FULL, cycle=seeded.cycle),
        language=settings.LANGUAGE_CODE,
        actor=seeded.officer,
    )
    requested = time.perf_counter()
    finished = wait_ready(dossier.pk)
    unit_ids = list(DossierUnit.objects.filter(dossier=dossier).values_list("unit_id", flat=True))
    # Units this dossier created: those not already stored when it was asked for.
    laid_out = RenderUnit.objects.filter(pk__in=unit_ids, rendered_at__gte=dossier.requested_at)
    return Run(
        seconds=finished - started,
        request_seconds=requested - started,
        dossier_id=dossier.pk,
        units=len(unit_ids),
        laid_out=laid_out.count(),
    )


def change_one_finding(seeded: Any) -> str:
    """The first finding in print order (a major non-conformity: its chapter of findings and its
    correction sheet change). No service edits a description, so a direct update."""
    from audits.models import Finding

    finding = (
        Finding.objects.filter(audit=seeded.audit).order_by("requirement__order", "raised_at", "pk")
    ).first()
    assert finding is not None  # noqa: S101  (the seed made 100)
    Finding.objects.filter(pk=finding.pk).update(
        description=finding.description + " Constat précisé après relecture."
    )
    return f"finding {finding.pk} ({finding.get_kind_display()}), description"


# --- the baseline: the same dossier as one HTML document ----------------------------------------


def one_document_html(seeded: Any, dossier_id: int) -> str:
    """What a plain implementation would lay out: the dossier's units (the same plan and
    generation data as the dossier `dossier_id`) in one document, contents page numbers by
    target-counter, header and footer as @page margin boxes."""
    from django.template.loader import render_to_string
    from django.utils import timezone, translation

    from dossiers.content import PDF_TEMPLATES, dossier_plan
    from dossiers.models import Dossier, DossierKind
    from dossiers.services.layout import _frame
    from dossiers.services.request import _content_hash, _generation_spec
    from dossiers.typography import french, french_html

    dossier = Dossier.objects.select_related("organisation", "requested_by").get(pk=dossier_id)
    language = dossier.language
    with translation.override(language):
        plan = dossier_plan(
            organisation=seeded.organisation,
            kind=DossierKind.FULL,
            audit=None,
            cycle=seeded.cycle,
            today=timezone.localdate(dossier.requested_at),
        )
    hashes = [spec.content_hash(language=language) for spec in plan.units]
    specs = [
        *plan.units,
        _generation_spec(
            organisation=seeded.organisation,
            title=plan.title,
            subtitle=plan.subtitle,
            language=language,
            actor=dossier.requested_by,
            now=dossier.requested_at,
            content_hash=_content_hash(
                DossierKind.FULL, f"cycle:{seeded.cycle.pk}", language, hashes
            ),
        ),
    ]
    frame = _frame(dossier)
    typographed = language.startswith("fr")

    def text(value: str) -> str:
        return french(value) if typographed else value

    bodies: list[str] = []
    entries: list[dict[str, Any]] = []

    def anchor(match: re.Match[str]) -> str:
        level, label = int(match[1]), match[2]
        name = f"toc-{len(entries)}"
        text = html.unescape(re.sub(r"<[^>]+>", "", label)).strip()
        entries.append({"level": level, "label": text, "anchor": name})
        return f'<h{level} id="{name}">{label}</h{level}>'

    with translation.override(language):
        for spec in specs:
            body = render_to_string(spec.template, {"c": spec.context})
            bodies.append(HEADING.sub(anchor, body))
        cover = render_to_string(
            "pdf/cover.html",
            {
                "organisation": frame.organisation,
                "title": frame.title,
                "subtitle": frame.subtitle,
                "generated_at": frame.generated_at,
                "requested_by": frame.requested_by,
                "page_count": dossier.page_count,  # known from our run, as text
            },
        )
        toc = render_to_string("pdf/toc.html", {"entries": entries, "resolve": True})
        page_rules = margin_boxes(
            organisation=text(frame.organisation),
            audit=text(frame.subtitle),
            date=frame.generated_on,
            page_word=translation.gettext("Page"),
        )
    stylesheet = (PDF_TEMPLATES / "print.css").read_text()
    units = "".join(f'<div class="unit">{part}</div>' for part in [cover, toc, *bodies])
    # The French typography of every text node, as the product applies it before a layout (to
    # the body only: its rules are not meant for a stylesheet).
    units = french_html(units) if typographed else units
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(frame.title)}</title><style>{stylesheet}\n{page_rules}</style>"
        f"</head><body>{units}</body></html>"
    )


def margin_boxes(*, organisation: str, audit: str, date: str, page_word: str) -> str:
    """The running header and "Page X / Y" as a plain implementation writes them: @page margin
    boxes, laid out by WeasyPrint on every page of the one document (the product stamps them
    from one small layout instead)."""
    from dossiers.templatetags.dossier import css_string

    return f"""
@page {{ size: A4; margin: 24mm 15mm 20mm 15mm;
  @top-left {{ content: {css_string(organisation)}; font: bold 7.5pt "DejaVu Sans";
    color: #1f4e79; vertical-align: bottom; padding-bottom: 3mm;
    border-bottom: 0.5pt solid #1f4e79; }}
  @top-right {{ content: {css_string(audit)} " · " {css_string(date)}; font: 7.5pt "DejaVu Sans";
    color: #333; vertical-align: bottom; padding-bottom: 3mm; border-bottom: 0.5pt solid #1f4e79; }}
  @bottom-center {{ content: {css_string(page_word)} " " counter(page) " / " counter(pages);
    font: 7.5pt "DejaVu Sans"; color: #333; }}
}}
@page:first {{ @top-left {{ content: none; border: 0; }} @top-right {{ content: none; border: 0; }}
  @bottom-center {{ content: none; }} }}
"""


@dataclass
class Naive:
    seconds: float
    pages: int
    hwm: int


def naive_pass(source: Path) -> Naive:
    done = subprocess.run(  # noqa: S603 (our own interpreter and script, no shell)
        [sys.executable, __file__, "--naive-child", str(source), str(source) + ".pdf"],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return Naive(seconds=figures["seconds"], pages=figures["pages"], hwm=figures["hwm"])


# --- profile: the assembly again, in-process, on the stored parts -------------------------------


def profile_assembly(dossier_id: int) -> list[tuple[str, dict[str, float]]]:
    """The cold dossier's assembly again, on its stored parts: first with the stored contents
    and header/footer stamps removed (as in the cold run), then with them kept (as after a small
    change)."""
    from django.core.files.storage import default_storage

    from dossiers import pdf
    from dossiers.models import Dossier, DossierUnit
    from dossiers.services.layout import _frame

    dossier = Dossier.objects.select_related("organisation", "requested_by").get(pk=dossier_id)
    parts = []
    for link in DossierUnit.objects.filter(dossier=dossier).select_related("unit"):
        with default_storage.open(str(link.unit.file.name), "rb") as stored:
            parts.append(
                pdf.Part(
                    pdf=stored.read(),
                    page_count=link.unit.page_count,
                    headings=tuple(pdf.Heading(*entry) for entry in link.unit.outline),
                )
            )
    pieces = {"cover": "_cover", "contents": "_contents", "header/footer stamps": "_stamps"}
    originals = {name: getattr(pdf, name) for name in pieces.values()}
    profiles = []
    for title, cached in (("nothing cached", False), ("contents and stamps cached", True)):
        if not cached and default_storage.exists("dossiers/cache"):
            for name in default_storage.listdir("dossiers/cache")[1]:
                default_storage.delete(f"dossiers/cache/{name}")
        timings = dict.fromkeys(pieces, 0.0)
        calls = dict.fromkeys(pieces, 0)

        def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                result = function(*args, **kwargs)
                timings[label] += time.perf_counter() - started  # noqa: B023 (this pass's)
                calls[label] += 1  # noqa: B023
                return result

            return wrapper

        for label, name in pieces.items():
            setattr(pdf, name, timed(label, originals[name]))
        try:
            started = time.perf_counter()
            pdf.assemble(frame=_frame(dossier), parts=parts)
            total = time.perf_counter() - started
        finally:
            for name, function in originals.items():
                setattr(pdf, name, function)
        profile = {f"{label} ({calls[label]}x)": timings[label] for label in pieces}
        profile["join, stamp, bookmarks, save (pikepdf)"] = total - sum(timings.values())
        profile["total"] = total
        profiles.append((title, profile))
    return profiles


# --- main ---------------------------------------------------------------------------------------


def setup_django(*, database_url: str, redis_url: str, queue: str, media: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "hdsready.settings",
            "DEBUG": "true",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_RESULT_BACKEND": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # dossier_request enqueues here, and the worker's own tasks stay here.
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "MEDIA_ROOT": media,
            "PYTHONUNBUFFERED": "1",
        }
    )
    import django

    django.setup()
    import logging

    # WeasyPrint logs a line per page at INFO ("Step 5 - Creating layout - Page 12").
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def forget_stored_units() -> int:
    """Cold means cold: the bench database's dossiers and render units of earlier runs go (units
    are shared by content hash, and some sections do not depend on the organisation)."""
    from dossiers.models import Dossier, DossierUnit, RenderUnit

    DossierUnit.objects.all().delete()
    Dossier.objects.update(reused_from=None)
    Dossier.objects.all().delete()
    return RenderUnit.objects.all().delete()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description="Dossier layout against one WeasyPrint pass.")
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--findings", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--naive-runs", type=int, default=2)
    parser.add_argument("--naive-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_child:
        naive_child(*args.naive_child)
        return

    # Not DATABASE_URL: the bench deletes every dossier of its database, never a real one's.
    database_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    if "bench" not in urlsplit(database_url).path:
        sys.exit(f"dossier bench: {database_url} does not look like a bench database (its name "
                 "must contain 'bench': the bench deletes its dossiers).")  # fmt: skip
    ensure_database(database_url)
    ensure_redis(redis_url)
    run_id = uuid.uuid4().hex[:10]
    queue = f"hdsready-bench-{run_id}"
    with tempfile.TemporaryDirectory(prefix="hdsready-bench-") as tmp:
        setup_django(database_url=database_url, redis_url=redis_url, queue=queue, media=tmp)
        from bench.dossier_seed import seed_dossier_organisation

        started = time.perf_counter()
        seeded = seed_dossier_organisation(
            slug=f"bench-{run_id}", versions=args.versions, findings=args.findings
        )
        seed_seconds = time.perf_counter() - started
        forgotten = forget_stored_units()

        log = Path(tmp) / "worker.log"
        source = Path(tmp) / "one-document.html"
        naive_runs: list[Naive] = []
        # The machine may be shared: the naive passes are interleaved with ours (the worker is
        # idle meanwhile), one after the cold run and one after the re-render, so a change of
        # load weighs on both sides.
        with celery_worker(queue=queue, concurrency=args.concurrency, log=log) as worker:
            cold = request_full_dossier(seeded)
            cold_tasks = worker_tasks(worker.output())
            started = time.perf_counter()
            source.write_text(one_document_html(seeded, cold.dossier_id), encoding="utf-8")
            html_seconds = time.perf_counter() - started
            naive_runs += [naive_pass(source) for _ in range(-(-args.naive_runs // 2))]
            changed = change_one_finding(seeded)
            rerender = request_full_dossier(seeded)
            naive_runs += [naive_pass(source) for _ in range(args.naive_runs // 2)]
            pool_peak, main_peak = worker.pool_peak()  # the worker is stopped next
        all_tasks = worker_tasks(log.read_text(encoding="utf-8", errors="replace"))
        rerender_tasks = all_tasks[len(cold_tasks) :]

        from dossiers.models import Dossier

        dossier = Dossier.objects.get(pk=cold.dossier_id)
        naive = min(naive_runs, key=lambda run: run.seconds)
        naive_peak = max(run.hwm for run in naive_runs)
        assembly = profile_assembly(cold.dossier_id)

    print(
        f"dossier: {args.versions:,} versions, {args.findings} findings, {dossier.page_count} "
        f"pages ({cold.units} units; the one-document baseline: {naive.pages} pages; "
        f"seeded in {seed_seconds:.1f} s; {forgotten} stored units of earlier runs deleted)"
    )
    runs = ", ".join(f"{run.seconds:.2f}" for run in naive_runs)
    print(
        f"naive one-pass WeasyPrint: {naive.seconds:.2f} s (best of {len(naive_runs)} in fresh "
        f"subprocesses, after the cold run / after the re-render: {runs} s; peak RSS "
        f"{naive_peak / MIB:.0f} MiB; its HTML, built beforehand and not counted: "
        f"{html_seconds:.2f} s)"
    )
    print(
        f"full dossier, cold ({args.concurrency} worker processes): {cold.seconds:.2f} s -> "
        f"ratio naive/cold {naive.seconds / cold.seconds:.2f} (goal >= 2.5)"
    )
    print(
        f"full dossier after changing one finding: {rerender.seconds:.2f} s -> ratio "
        f"naive/rerender {naive.seconds / rerender.seconds:.2f} (goal >= 5) "
        f"[{changed}; {rerender.laid_out} of {rerender.units} units laid out again]"
    )
    print(
        f"rendering worker peak memory: {pool_peak / MIB:.0f} MiB (goal < 300; highest VmHWM of "
        f"the pool processes; the worker's main process: {main_peak / MIB:.0f} MiB)"
    )
    print("profile:")
    for title, run, tasks in (
        ("cold", cold, cold_tasks),
        ("after one change", rerender, rerender_tasks),
    ):
        described = ", ".join(f"{task.removeprefix('dossier_')} {seconds:.2f} s (-> {result})"
                              for task, seconds, result in tasks)  # fmt: skip
        print(
            f"  {title}: dossier_request (plan, unit rows, enqueue) in this process "
            f"{run.request_seconds:.2f} s; worker tasks in log order: {described}"
        )
    for title, profile in assembly:
        described = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in profile.items())
        print(f"  assembly of the cold dossier again, in this process, {title}: {described}")


if __name__ == "__main__":
    main()
