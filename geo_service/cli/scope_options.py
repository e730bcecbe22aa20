"""The filter options of every command, and the scope they make (docs/filters.md).

Each option is the query parameter of the same meaning (`--unit` is `unit`, `--key-area` is
`key_area_kind`, …); the values go through the same parser as the API's query strings
(`geo_service.scope.parse_scope`): codes or Chinese labels, repeatable or comma lists, dates
YYYY-MM-DD — the same mistake gets the same message at a terminal and over HTTP.
"""

from typing import Annotated

import typer

from geo_service.cli.common import settings
from geo_service.scope import Scope, make_scope

AsOf = Annotated[
    str | None, typer.Option("--as-of", help="截至日期 as-of day D, YYYY-MM-DD (default today)")
]
Unit = Annotated[
    list[str] | None, typer.Option("--unit", help="单位名称或ID unit name or id (repeatable)")
]
KeyArea = Annotated[
    str | None, typer.Option("--key-area", help="重点区域类型, e.g. 城中村 or urban_village")
]
Category = Annotated[
    list[str] | None, typer.Option("--category", help="隐患类别 code or 中文 (repeatable)")
]
Group = Annotated[
    str | None, typer.Option("--category-group", help="隐患大类, e.g. 消防安全 or fire")
]
Severity = Annotated[str | None, typer.Option("--severity", help="重大/major or 一般/general")]
Status = Annotated[
    str | None, typer.Option("--status", help="隐患状态 on D: open, overdue, rectified (or 中文)")
]
Department = Annotated[
    str | None, typer.Option("--department", help="责任部门 name or id, e.g. 建设局")
]
From = Annotated[str | None, typer.Option("--from", help="发现日期 found on or after")]
To = Annotated[str | None, typer.Option("--to", help="发现日期 found on or before")]
Json = Annotated[bool, typer.Option("--json", help="print JSON (the API's document)")]


def scope_of(**options: object) -> Scope:
    """The scope of the command's filter options, named like the query parameters."""
    return make_scope(settings(), **options)
