"""City-scale benchmark suite (`make bench` → `python -m bench`); never part of the tests.

See docs/benchmarks.md. The suite runs its own PostgreSQL cluster under `.geo-data/bench`,
loads the synthetic demo town at city scale, and measures this service beside tipg and the
bare SQL on the same database; results go to BENCHMARKS.md.
"""
