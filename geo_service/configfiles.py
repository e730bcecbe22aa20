"""The town's configuration files, named by `Settings` and each read once per process.

| setting | file | default |
|---|---|---|
| GEO_RULES_PATH | deadlines, CCTV thresholds, campus buffer | geo_service/domain/rules.toml |
| GEO_RUBRIC_PATH | 附件1 计分办法 | geo_service/domain/rubric_luoyang.toml |
| GEO_ROUTES_PATH | patrol planning | geo_service/patrol/routes.toml |
| GEO_RISK_WEIGHTS_PATH | 风险排序 weights | geo_service/analytics/risk_weights.toml |
| GEO_TOWN_PATH | address conventions (read by etl) | etl/town.toml |

Every one of them is part of the response cache's fingerprint (`fingerprint_files`): an edited
file and a restart never meet answers computed under the old one.
"""

from functools import cache
from pathlib import Path

from geo_service.analytics.risk import RiskWeights, load_risk_weights
from geo_service.config import Settings
from geo_service.domain.rubric import Rubric, load_rubric
from geo_service.domain.rules import RuleParams
from geo_service.patrol.config import RouteParams, load_route_params


@cache
def _rubric(path: Path | None) -> Rubric:
    return load_rubric(path)


@cache
def _routes(path: Path | None) -> RouteParams:
    return load_route_params(path)


@cache
def _risk_weights(path: Path | None) -> RiskWeights:
    return load_risk_weights(path)


def rules(settings: Settings) -> RuleParams:
    """The rule parameters (GEO_RULES_PATH; `Settings.rules`)."""
    return settings.rules


def rubric(settings: Settings) -> Rubric:
    """The 附件1 rubric (GEO_RUBRIC_PATH)."""
    return _rubric(settings.rubric_path)


def route_params(settings: Settings) -> RouteParams:
    """The patrol planning parameters (GEO_ROUTES_PATH)."""
    return _routes(settings.routes_path)


def risk_weights(settings: Settings) -> RiskWeights:
    """The risk-ranking weights (GEO_RISK_WEIGHTS_PATH): the API, the map, the patrol targets
    and the CLI rank houses with the same ones."""
    return _risk_weights(settings.risk_weights_path)


def fingerprint_files(settings: Settings) -> list[Path | None]:
    """The configured files whose content is part of the cache fingerprint (packaged defaults
    are covered by the code fingerprint)."""
    return [
        settings.rules_path,
        settings.rubric_path,
        settings.routes_path,
        settings.risk_weights_path,
        settings.town_path,
    ]
