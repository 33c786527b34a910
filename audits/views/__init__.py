"""The audits app's pages: the officer's side (officer.py), the auditor's (auditors.py,
review.py), reminders and home fragments. A form sent with errors is shown again on its page,
bound, by that page's builder (`audit_page`, `_review_page`, ...), never a message and a
redirect that would lose what was typed."""
