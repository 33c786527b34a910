"""Dossier PDFs: asking for one (`request`), laying out its units on the worker pool and joining
them (`layout`).

The request (a web request) reads the data and fixes the dossier's content as render units,
each keyed by the SHA-256 of its data. Units nobody laid out yet are shared out in a few
balanced batches, one Celery task each, so the worker pool lays them out in parallel; the task
that finishes a dossier's last unit enqueues its assembly. A unit is claimed by a conditional
update before it is laid out, so two dossiers that need it never lay it out twice, and a dossier
whose content was already printed reuses the stored file. The claim records the task's id: the
same task, redelivered after its worker was killed mid-layout, takes its units back.

Services enqueue tasks by name in their transaction (hdsready/queue.py, an outbox):
dossiers.tasks imports the services: no import circle at module level.
"""

from __future__ import annotations


class DossierError(Exception):
    """A dossier request or action the app refuses; its message is shown to the user as it is."""


class DossierIntegrityError(DossierError):
    """The stored PDF no longer has the SHA-256 recorded when it was assembled."""
