"""Access control: users and roles, per-request database roles, personal data and audit.

The rules live in PostgreSQL (row-level security, column privileges, SECURITY DEFINER
functions, audit triggers; see `access/sql/`); Python authenticates the user and, for each
request, switches the connection to the user's database role with `SET LOCAL ROLE`
(`access.session`). See docs/access.md.
"""
