"""Answers of read-only endpoints kept until the data change (docs/cache.md)."""
