"""GIS monitoring for the group-rental housing (群租房) safety campaign."""

__version__ = "0.1.0"
