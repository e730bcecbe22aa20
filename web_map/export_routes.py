"""Exports of what the map shows (filled in by web_map/exports.py)."""

from fastapi import APIRouter

router = APIRouter(prefix="/map", tags=["map"])
