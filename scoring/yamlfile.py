"""Strict YAML files: safe loading, duplicate keys refused, errors located at file:line.

``load_model(path, Model)`` is the one way configuration and catalogue files are read. A syntax
error, a duplicate key, an unknown field or a wrong type raises ``ConfigError`` whose problems
name the file, the line and the YAML path (``sections[2].tasks[0].id``) in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from scoring.errors import ConfigError
from scoring.files import write_bytes_atomically
from scoring.problems import Problem, Severity

M = TypeVar("M", bound=BaseModel)

PathKey = tuple[str | int, ...]

# libyaml's safe loader when present (about ten times faster), else the pure-Python one
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（请检查拼写；不允许多余字段）",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能带小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "string_too_short": "文本过短或为空",
    "too_short": "列表过短或为空",
    "too_long": "列表过长",
    "string_pattern_mismatch": "格式不符合要求",
    "union_tag_invalid": "规则类型（kind）不在允许的类型中",
    "union_tag_not_found": "缺少规则类型字段 kind",
    "value_error": "取值无效",
    "assertion_error": "取值无效",
}


def format_path(path: Sequence[str | int]) -> str:
    """``("sections", 2, "id")`` → ``sections[2].id``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _line_map(node: yaml.Node | None, prefix: PathKey, lines: dict[PathKey, int],
              problems: list[Problem], file: str) -> None:
    if node is None:
        return
    lines[prefix] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(Problem(
                    code="yaml-duplicate-key", severity=Severity.ERROR,
                    message=f"键“{key}”重复出现（后者会覆盖前者）",
                    file=file, line=key_node.start_mark.line + 1,
                    path=format_path((*prefix, key)),
                ))
            seen.add(key)
            lines[(*prefix, key)] = key_node.start_mark.line + 1
            _line_map(value_node, (*prefix, key), lines, problems, file)
            # keep the key's own line for the field itself (not the value's first line)
            lines[(*prefix, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*prefix, index), lines, problems, file)


def read_text(path: Path) -> str:
    """Read a UTF-8 config file; unreadable files raise ``ConfigError`` with the reason."""
    return decode_text(read_bytes(path), path)


def read_bytes(path: Path) -> bytes:
    """A config file's bytes; a missing or unreadable file raises ``ConfigError``."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: 文件不存在", [Problem(
            code="file-missing", severity=Severity.ERROR, message="文件不存在", file=str(path),
        )]) from None
    except OSError as exc:
        raise ConfigError(f"{path}: 无法读取（{exc.strerror}）", [Problem(
            code="file-unreadable", severity=Severity.ERROR,
            message=f"无法读取（{exc.strerror}）", file=str(path),
        )]) from None


def decode_text(data: bytes, path: Path) -> str:
    """A config file's bytes as text; anything but UTF-8 raises ``ConfigError``."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: 不是 UTF-8 编码的文本", [Problem(
            code="yaml-encoding", severity=Severity.ERROR,
            message=f"不是 UTF-8 编码的文本（第 {exc.start} 字节）", file=str(path),
        )]) from None


class _DuplicateKey(yaml.MarkedYAMLError):
    """A mapping repeats a key (PyYAML would silently keep the last one)."""


class _StrictLoader(_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, refusing duplicate keys while it constructs (one pass, no line map)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str | int | float | bool] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                continue
            if key in seen:
                raise _DuplicateKey(problem=f"键“{key}”重复出现（后者会覆盖前者）",
                                    problem_mark=key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _syntax_error(exc: yaml.YAMLError, file: str) -> ConfigError:
    if isinstance(exc, _DuplicateKey):
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        problem = Problem(code="yaml-duplicate-key", severity=Severity.ERROR,
                          message=str(exc.problem), file=file, line=line)
        return ConfigError(problem.render(), [problem])
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = exc.problem or str(exc)
        return ConfigError(f"{file}:{line}: YAML 语法错误：{detail}", [Problem(
            code="yaml-syntax", severity=Severity.ERROR,
            message=f"YAML 语法错误：{detail}", file=file, line=line,
        )])
    return ConfigError(f"{file}: YAML 语法错误：{exc}", [Problem(
        code="yaml-syntax", severity=Severity.ERROR, message=f"YAML 语法错误：{exc}", file=file,
    )])


def load_data(text: str, file: str) -> Any:
    """Parse YAML text safely in one pass; syntax errors and duplicate keys raise ``ConfigError``."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a safe loader, C or Python
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, file) from None


def parse(text: str, file: str) -> tuple[Any, dict[PathKey, int]]:
    """Parse YAML text safely; return the data and a map from YAML path to line number."""
    data = load_data(text, file)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, file) from None
    lines: dict[PathKey, int] = {}
    problems: list[Problem] = []
    _line_map(node, (), lines, problems, file)
    if problems:
        raise ConfigError(problems[0].render(), problems)
    return data, lines


def line_of(lines: dict[PathKey, int], path: Sequence[str | int]) -> int | None:
    """The line of the deepest existing prefix of ``path``."""
    key: PathKey = tuple(path)
    while key:
        if key in lines:
            return lines[key]
        key = key[:-1]
    return lines.get(())


def validation_problems(exc: ValidationError, file: str,
                        lines: dict[PathKey, int]) -> list[Problem]:
    """Pydantic errors as located Chinese problems."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if isinstance(p, str | int)]
        # tagged unions and validators add loc parts that are not keys in the file: skip them
        clean: list[str | int] = []
        for index, part in enumerate(loc):
            is_last = index == len(loc) - 1
            if isinstance(part, str) and (*clean, part) not in lines and not is_last:
                continue
            clean.append(part)
        value = err.get("input")
        shown = None if err["type"] == "missing" or isinstance(value, dict | list) else str(value)
        label = _PYDANTIC_MESSAGES.get(err["type"])
        if label is None or err["type"] in ("value_error", "assertion_error"):
            # our own validators already speak Chinese; pydantic prefixes "Value error, "
            message = str(err.get("msg", "")).removeprefix("Value error, ").removeprefix(
                "Assertion failed, ")
        else:
            message = label
        if shown is not None and err["type"] != "extra_forbidden":
            message += f"（当前值：{_excerpt(shown)}）"
        problems.append(Problem(
            code="config-invalid", severity=Severity.ERROR, message=message, file=file,
            line=line_of(lines, clean), path=format_path(clean) or None,
            value=shown,
        ))
    return problems


def _excerpt(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _validated(data: Any, model: type[M], file: str,
               lines: Callable[[], dict[PathKey, int]]) -> M:
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: 顶层应为键值映射", [Problem(
            code="config-invalid", severity=Severity.ERROR, message="顶层应为键值映射（YAML 映射）",
            file=file, line=1,
        )])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, file, lines())
        raise ConfigError(problems[0].render(), problems) from None


def load_model(path: Path, model: type[M]) -> M:
    """Read ``path`` as YAML into ``model``, or raise ``ConfigError`` with located problems.

    One fast pass; the line map is built only when there is a problem to locate.
    """
    return model_from_text(read_text(path), str(path), model)


def model_from_text(text: str, file: str, model: type[M]) -> M:
    """``load_model`` on text already read (``file`` names it in problems)."""
    return _validated(load_data(text, file), model, file, lambda: parse(text, file)[1])


def load_model_with_lines(path: Path, model: type[M]) -> tuple[M, dict[PathKey, int]]:
    """Like ``load_model``, also returning the line of every YAML path (for audit findings)."""
    file = str(path)
    data, lines = parse(read_text(path), file)
    return _validated(data, model, file, lambda: lines), lines


def dump(data: Any) -> str:
    """Deterministic YAML text: insertion order, real Chinese characters, no line folding."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000,
                          default_flow_style=False)


def write_atomically(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (see ``scoring.files``)."""
    write_bytes_atomically(path, text.encode("utf-8"))
