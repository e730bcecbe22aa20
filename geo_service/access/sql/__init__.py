"""SQL scripts of the access-control migrations (package data)."""
