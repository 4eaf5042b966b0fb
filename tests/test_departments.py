"""The department registry: every spelling resolves to one department; broken files are located."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import registry

from scoring.catalogue.clauses import parse_responsibility
from scoring.catalogue.departments import load_registry
from scoring.catalogue.models import Role
from scoring.errors import ConfigError


def test_aliases_and_full_names_resolve_to_the_short_name() -> None:
    reg = registry()
    for written, name in [("国家市场监督管理总局", "市场监管总局"), ("网信办", "中央网信办"),
                          ("最高人民法院", "高法院"), ("全国双打办", "全国打击侵权假冒工作领导小组办公室"),
                          ("相关成员单位", "领导小组有关成员单位")]:
        dept = reg.resolve(written)
        assert dept is not None and dept.name == name, written
    assert reg.resolve("某某局") is None


@pytest.mark.parametrize("body, expected", [
    ("公安部负责", [("公安部", Role.SOLE)]),
    ("高法院、高检院负责", [("高法院", Role.JOINT), ("高检院", Role.JOINT)]),
    ("文化和旅游部牵头", [("文化和旅游部", Role.LEAD)]),
    ("市场监管总局、药监局按职责分工分别负责", [("市场监管总局", Role.JOINT), ("药监局", Role.JOINT)]),
    ("中央政法委、全国打击侵权假冒工作领导小组办公室按职责分工牵头",
     [("中央政法委", Role.LEAD), ("全国打击侵权假冒工作领导小组办公室", Role.LEAD)]),
    ("全国打击侵权假冒工作领导小组办公室及领导小组有关成员单位按职责分工负责",
     [("全国打击侵权假冒工作领导小组办公室", Role.JOINT), ("领导小组有关成员单位", Role.JOINT)]),
    ("市场监管总局牵头，生态环境部等领导小组有关成员单位按职责分工负责",
     [("市场监管总局", Role.LEAD), ("生态环境部", Role.JOINT), ("领导小组有关成员单位", Role.JOINT)]),
    ("责任单位：国家知识产权局", [("知识产权局", Role.SOLE)]),
])
def test_responsibility_forms(body: str, expected: list[tuple[str, Role]]) -> None:
    refs, unknown = parse_responsibility(body, registry())
    assert [(r.name, r.role) for r in refs] == expected
    assert unknown == []


def test_a_spelling_owned_by_two_departments_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "departments.yaml"
    path.write_text(
        "schema_version: 1\ndepartments:\n"
        "  - {name: 公安部, full_name: 公安部, kind: central}\n"
        "  - {name: 警察, full_name: 某部, aliases: [公安部], kind: central}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_registry(path)
    assert "同时属于" in str(caught.value) and caught.value.problems[0].line == 2


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "departments.yaml"
    path.write_text("schema_version: 1\nschema_version: 1\ndepartments: []\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_registry(path)
    assert caught.value.problems[0].code == "yaml-duplicate-key"
    assert caught.value.problems[0].line == 2
