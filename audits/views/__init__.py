"""The audits app's pages: the officer's side (officer.py) and the auditor's (auditors.py)."""
