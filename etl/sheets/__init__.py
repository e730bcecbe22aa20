"""One module per template sheet: its checks, its staging frame, its upsert."""
