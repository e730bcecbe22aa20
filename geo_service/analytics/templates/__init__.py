"""Jinja2 templates of the bulletin (a package so the files ship in wheels)."""
