"""The OpenAPI document keys its schemas by class name: two response schemas of the same name in two
apps would share one entry, and the document would describe one app's answers with the other's
fields. Names must be unique, unless the two schemas are the same shape (e.g. ``Error``)."""

import inspect
from importlib import import_module

from ninja import Schema

from gongzhi.api import APPS_WITH_API, api


def test_schema_names_are_unique_across_apps():
    seen: dict[str, tuple[str, dict]] = {}
    for app in APPS_WITH_API:
        try:
            module = import_module(f"gongzhi.{app}.api")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if not (inspect.isclass(value) and issubclass(value, Schema) and value.__module__ == module.__name__):
                continue
            shape = value.model_json_schema()
            if name in seen:
                other, other_shape = seen[name]
                assert other_shape == shape, f"{name} is defined differently in {other} and {module.__name__}"
            else:
                seen[name] = (module.__name__, shape)
    assert "EventOut" in seen and "ServiceEventOut" in seen


def test_the_case_timeline_is_documented_with_its_own_fields():
    document = api.get_openapi_schema()
    event = document["components"]["schemas"]["EventOut"]
    assert {"kind", "kind_label", "from_state", "to_state", "at"} <= set(event["properties"])
