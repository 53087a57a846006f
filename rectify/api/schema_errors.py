"""The error answers of the API in its OpenAPI schema, in one place (a drf-spectacular
postprocessing hook, ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``).

Every operation documents the errors it can answer, each with the shape of its body:

* 400 where a body or query parameters are read, and on deletions: the refused fields and
  why (``{"field": ["…"]}``), or ``{"detail": "…"}`` for a body that is not JSON;
* 401 where authentication is possible (a missing or bad token);
* 403 for writes the rule may refuse (``rectify.rules.permissions``);
* 404 on every path with an id (missing, or not visible to this user: never a 403) and on
  every paginated list (a page past the end);
* 413 where a body is read (the body limits), 429 everywhere (the rate limits and the login
  lockout);
* 409 and 412 (declared by the views, e.g. ``record_viewset.CONFLICT_RESPONSES``): the
  conflict bodies, with ``current`` (the record as it is now) when the version was stale.

A response the views declared without a body gets the standard body of its status here, so
that no error answer is left undescribed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

METHODS = ("get", "put", "patch", "post", "delete", "head", "options", "trace")
WRITES = ("put", "patch", "post", "delete")

ERROR = "Error"
VALIDATION_ERROR = "ValidationError"
CONFLICT = "Conflict"
STALE = "StaleVersion"

#: The conflict codes of a 409 (``code``): a stale version, a record still referenced, a
#: review decision at the wrong level.
CONFLICT_CODES = ["stale", "protected", "wrong_level"]

DESCRIPTIONS = {
    400: gettext_lazy("输入有误：按字段列出原因，未作任何修改"),
    401: gettext_lazy("未登录或令牌无效"),
    403: gettext_lazy("无权进行此操作"),
    404: gettext_lazy("不存在，或无权查看"),
    409: gettext_lazy("与当前状态冲突，未作任何修改"),
    412: gettext_lazy("If-Match 中的版本已过期：返回当前内容"),
    413: gettext_lazy("请求体过大"),
    428: gettext_lazy("未注明读取时的版本（If-Match 请求头或 version 字段）"),
    429: gettext_lazy("请求过于频繁或登录失败次数过多，请稍后再试"),
}


def component_schemas() -> dict[str, dict]:
    """The bodies of the error answers."""
    detail = {"type": "string", "description": _("原因")}
    current = {"type": "object", "additionalProperties": {},
               "description": _("记录的当前内容（与详情的格式相同）")}
    return {
        ERROR: {
            "type": "object",
            "description": _("错误：原因（detail），有时附错误代码（code）"),
            "properties": {"detail": detail,
                           "code": {"type": "string", "description": _("错误代码")}},
            "required": ["detail"],
        },
        VALIDATION_ERROR: {
            "type": "object",
            "description": _("输入有误：键为字段名（non_field_errors 为整体），值为原因列表；"
                             "请求体无法解析时为 detail"),
            "additionalProperties": {},
        },
        CONFLICT: {
            "type": "object",
            "description": _("冲突：code 为 stale（版本已过期，current 为当前内容）、protected"
                             "（仍被其他记录引用）或 wrong_level（审核层级不对）"),
            "properties": {"detail": detail,
                           "code": {"type": "string", "enum": CONFLICT_CODES},
                           "current": current},
            "required": ["detail", "code"],
        },
        STALE: {
            "type": "object",
            "description": _("版本已过期：current 为当前内容"),
            "properties": {"detail": detail, "code": {"type": "string", "enum": ["stale"]},
                           "current": current},
            "required": ["detail", "code", "current"],
        },
    }


BODY_OF = {400: VALIDATION_ERROR, 409: CONFLICT, 412: STALE}


def expected_errors(path: str, method: str, operation: dict) -> set[int]:
    """The error statuses ``operation`` can answer, whatever the view declared."""
    codes = {429}
    has_body = "requestBody" in operation
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    authenticated = any(operation.get("security") or [])
    if has_body or has_query or method == "delete":
        codes.add(400)  # a deletion the model refuses, too
    if has_body:
        codes.add(413)
    if authenticated:
        codes.add(401)
        if method in WRITES:
            codes.add(403)
    if "{" in path or any(p.get("in") == "query" and p.get("name") == "page"
                          for p in operation.get("parameters", [])):
        codes.add(404)  # no such record, or no such page
    return codes


def document_errors(result, generator, request, public):
    """Postprocessing hook: every operation's error answers and their bodies."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(component_schemas())
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code in sorted(expected_errors(path, method, operation)):
                responses.setdefault(str(code), {"description": str(DESCRIPTIONS[code])})
            for code, response in responses.items():
                if not code.isdigit() or int(code) < 400 or "content" in response:
                    continue
                ref = {"$ref": f"#/components/schemas/{BODY_OF.get(int(code), ERROR)}"}
                response["content"] = {"application/json": {"schema": ref}}
            operation["responses"] = dict(sorted(responses.items()))
    return result
