"""Who may do what: the roles an API key (or a future UI user) holds and the permissions each
grants. No Flask here: the API checks them per endpoint (``service/api/auth.py``), and a web UI
can check the same names for its pages.
"""

from __future__ import annotations

# Permissions, named by what they allow.
SCREEN = "screen"  # screen names (single, batch, CSV files and jobs)
READ = "read"  # read the records (entities, designations, cases, threat groups, imports)
READ_LOGS = "read_logs"  # read the screening evidence log and the dispositions
DISPOSITION = "disposition"  # record a decision on a screening hit
WRITE = "write"  # create, update and archive records
IMPORT = "import"  # import sanctions lists
ADMIN = "admin"  # manage API keys; anything not yet given a permission of its own

PERMISSIONS = (SCREEN, READ, READ_LOGS, DISPOSITION, WRITE, IMPORT, ADMIN)

# Each role, from the most to the least trusted, and what it may do.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "editor": frozenset({SCREEN, READ, READ_LOGS, DISPOSITION, WRITE}),
    "analyst": frozenset({SCREEN, READ, READ_LOGS, DISPOSITION}),
    "screener": frozenset({SCREEN}),
}
ROLES = tuple(ROLE_PERMISSIONS)


def allows(role: str, permission: str) -> bool:
    """Whether ``role`` grants ``permission`` (an unknown role grants nothing)."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
