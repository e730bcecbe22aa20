"""Packaged SQL of the analytics (a package so the files ship in wheels)."""
