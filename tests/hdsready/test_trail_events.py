"""Every audit-trail event the code writes has a label, and details read as words, not codes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from audits import workflow
from hdsready.models import InvitationStatus
from hdsready.trail_events import trail_event_kinds, trail_event_label, trail_event_lines

ROOT = Path(__file__).resolve().parents[2]
APPS = ("hdsready", "scopes", "evidence", "audits", "dossiers")
# Kinds built with an f-string: the values the placeholder takes, per literal prefix.
FORMATTED = {
    "invitation.": {InvitationStatus.REVOKED, InvitationStatus.EXPIRED},
    "evidence.": {"viewed", "downloaded"},
}


def _constants(node: ast.expr, scope: ast.AST) -> set[str] | None:
    """The string values a `kind=` argument can take, or None when it cannot be read here."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _constants(node.body, scope), _constants(node.orelse, scope)
        return body | orelse if body is not None and orelse is not None else None
    if isinstance(node, ast.JoinedStr):
        prefix = node.values[0]
        assert isinstance(prefix, ast.Constant)
        assert isinstance(prefix.value, str)
        return {f"{prefix.value}{value}" for value in FORMATTED[str(prefix.value)]}
    if isinstance(node, ast.Name):
        values: set[str] = set()
        for assign in ast.walk(scope):
            if isinstance(assign, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == node.id for t in assign.targets
            ):
                found = _constants(assign.value, scope)
                if found is None:
                    return None
                values |= found
        return values or None
    return None


def written_kinds() -> tuple[set[str], list[str]]:
    """Every kind passed to trail_record in the code base, and the calls that could not be read."""
    kinds: set[str] = set()
    unread: list[str] = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef):
                    continue
                for call in ast.walk(function):
                    if not (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Name)
                        and call.func.id == "trail_record"
                    ):
                        continue
                    for keyword in call.keywords:
                        if keyword.arg != "kind":
                            continue
                        values = _constants(keyword.value, function)
                        if values is None:
                            unread.append(f"{path.relative_to(ROOT)}:{call.lineno}")
                        else:
                            kinds |= values
    return kinds, unread


def test_the_source_is_read() -> None:
    kinds, unread = written_kinds()
    assert {"readiness.updated", "evidence.viewed", "mfa.passed", "invitation.expired"} <= kinds
    # The workflow's service writes `action.event` and the auditor invitation its action's event:
    # those come from the workflow definition, checked below (with the check of a carried-over
    # finding, defined beside it).
    assert sorted(set(unread)) == [
        "audits/services/auditors.py:105",
        "audits/services/carryover.py:104",
        "audits/services/workflow.py:111",
    ], "a trail_record call whose kind this test cannot read: name it in FORMATTED or inline it"


def test_every_kind_written_has_a_label() -> None:
    kinds, _unread = written_kinds()
    kinds |= {action.event for action in (*workflow.ACTIONS, workflow.CARRYOVER_CHECK)}
    assert sorted(kinds - trail_event_kinds()) == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_label_is_words(language: str) -> None:
    with translation.override(language):
        for kind in trail_event_kinds():
            label = trail_event_label(kind)
            assert label != kind
            assert "_" not in label, (kind, label)
            assert "." not in label, (kind, label)


def test_the_workflow_names_its_events() -> None:
    with translation.override("fr"):
        assert trail_event_label(workflow.STAGE1_COMPLETE.event) == str(
            workflow.STAGE1_COMPLETE.event_label
        )


def test_details_use_verbose_names_and_choice_labels() -> None:
    with translation.override("fr"):
        lines = trail_event_lines(
            "readiness.updated",
            {
                "requirement": "EXI 1",
                "changes": {
                    "status": ["not_assessed", "compliant"],
                    "target_date": ["2027-01-10", None],
                },
            },
        )
        text = [(line.label, line.text) for line in lines]
        assert text[1][0] != "status"
        assert "not_assessed" not in text[1][1]
        assert text[2] == ("Échéance", "10/01/2027 → —")
        workflow_lines = trail_event_lines(
            "audit.stage1_completed",
            {
                "action": "stage1-complete",
                "from": "stage1_planned",
                "to": "stage1_done",
                "audit": 3,
            },
        )
        rendered = " ".join(f"{line.label} {line.text}" for line in workflow_lines)
        assert "stage1" not in rendered
        assert "3" not in rendered
        scope_lines = trail_event_lines(
            "scope.activities_set",
            {"activities": {"1": {"mode": "in_house", "subcontractor": ""}}},
        )
        assert "in_house" not in scope_lines[0].text
