"""Marker strings for private governance things (see tests/harness/permissions_table.py)."""

#: Only the stewards and the named deciders may see text carrying this marker (drafts).
DRAFT_MARKER = "ZZ-DRAFT-DECISION-MARKER-3b8e"
