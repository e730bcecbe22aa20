"""GeoJSON text: the one place a FeatureCollection is written."""

import json
from collections.abc import Mapping, Sequence
from typing import Any

GEOJSON = "application/geo+json"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def feature_collection(features: str | Sequence[Mapping[str, Any]], **members: Any) -> str:
    """A GeoJSON FeatureCollection as JSON text, `members` (numberMatched, links, name, …)
    after the features.

    `features` is either a JSON array built by the database, spliced in unparsed (a
    10 000-feature page costs no Python work per feature), or a list of feature dicts.
    """
    array = features if isinstance(features, str) else _json(list(features))
    extra = "".join(f", {_json(k)}: {_json(v)}" for k, v in members.items())
    return f'{{"type": "FeatureCollection", "features": {array}{extra}}}'
