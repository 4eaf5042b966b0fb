"""The JSON Schema of indicator files, for editors (``# yaml-language-server: $schema=…``)."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel

from scoring.indicators.models import IndicatorSet
from scoring.indicators.units import UnitList

SchemaTarget = Literal["indicators", "units"]

_MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "indicators": (IndicatorSet, "打击侵权假冒工作考核指标配置"),
    "units": (UnitList, "考核对象：省级单位及参考数据"),
}


def json_schema(target: SchemaTarget = "indicators") -> dict[str, Any]:
    """The JSON Schema of an indicator file (or of units.yaml), with a title editors can show."""
    model, title = _MODELS[target]
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    return schema


def schema_text(target: SchemaTarget = "indicators") -> str:
    """The schema as stable JSON text (sorted keys, real Chinese characters, trailing newline)."""
    return json.dumps(json_schema(target), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
