"""Turn vendor response bodies into models without leaking what they contain.

pydantic's ``ValidationError`` quotes the offending input, and vendor payloads can
hold credentials (MiRTA's extension rows carry SIP passwords), so validation
errors are rebuilt from field locations and error types only.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from switchboard.core.errors import SwitchboardResponseError

if TYPE_CHECKING:
    import httpx

ModelT = TypeVar("ModelT")

_EXCERPT = 80


def describe_validation_error(err: ValidationError) -> str:
    """Summarise a validation error by location and type, never by input value."""
    parts = []
    for item in err.errors(include_input=False, include_url=False)[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg']}")
    more = len(err.errors()) - len(parts)
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def parse_json(response: httpx.Response, *, vendor: str, display_name: str) -> Any:
    """Decode a JSON body or raise the response error with a short, safe excerpt."""
    try:
        return json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        excerpt = len(response.content)
        msg = f"{display_name} sent a body that is not JSON ({excerpt} bytes)."
        raise SwitchboardResponseError(
            msg, vendor=vendor, status_code=response.status_code
        ) from None


# Building a TypeAdapter compiles a validator (~1 ms): too much for every request.
_ADAPTERS: dict[object, TypeAdapter[Any]] = {}


def _adapter(model: object) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(model)
    if adapter is None:
        adapter = _ADAPTERS[model] = TypeAdapter(model)
    return adapter


def validate(
    model: type[ModelT], data: Any, *, vendor: str, display_name: str, what: str
) -> ModelT:
    """Validate ``data`` as ``model`` (a pydantic model or any type pydantic knows).

    Raises:
        SwitchboardResponseError: The payload does not have the expected shape.
    """
    try:
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(data)
        result: ModelT = _adapter(model).validate_python(data)
    except ValidationError as err:
        msg = f"{display_name} sent an unexpected {what}: {describe_validation_error(err)}"
        # Not chained: the ValidationError would print the payload in tracebacks.
        raise SwitchboardResponseError(msg, vendor=vendor) from None
    return result
