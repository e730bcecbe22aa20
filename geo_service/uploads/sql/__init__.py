"""SQL scripts of the upload feature (package data): migration 0010 and the department's write."""
