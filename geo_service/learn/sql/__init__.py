"""Packaged SQL of the learned risk model (a package so the files ship in wheels)."""
