"""flask-smorest fitted to graphapp: how the API's calls read their parameters and are documented.

A bad parameter is a :class:`~graphapp.params.BadRequest` (400, the reason in words, answered by
graphapp's own error handlers, as on the pages); parameters that depend on each other are documented as
one object parameter carrying the rules (see :meth:`graphapp.params.Args.rules`); each call's answer and
errors are documented with :meth:`Blueprint.answers`. The calls themselves are in :mod:`graphapp.api`.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar, cast

import flask_smorest
import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from webargs.flaskparser import FlaskParser

from graphapp.params import Args, BadRequest, Param

__all__ = ["Api", "Blueprint", "Graph", "Open", "Page", "answer", "api_document", "required"]

F = TypeVar("F", bound=Callable[..., Any])


# What the answers hold (documented, never used to write them: the views send their dicts as they are).


class Open(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE


def answer(title: str, /, **fields: ma.fields.Field[Any]) -> type[ma.Schema]:
    """A documented answer: an object with these fields (and any others)."""
    return Open.from_dict(fields, name=title)


def required(*names: str) -> dict[str, ma.fields.Field[Any]]:
    """Fields that every such answer has, of any type."""
    return {name: ma.fields.Raw(required=True) for name in names}


Page = answer(
    "Page",
    items=ma.fields.List(ma.fields.Dict(), required=True),
    total=ma.fields.Integer(required=True),
    page=ma.fields.Integer(required=True),
    per_page=ma.fields.Integer(required=True),
    pages=ma.fields.Integer(required=True),
)
Node = answer(
    "Node",
    key=ma.fields.String(required=True),
    label=ma.fields.String(required=True),
    properties=ma.fields.Dict(required=True),
)
Relationship = answer(
    "Relationship",
    type=ma.fields.String(required=True),
    source=ma.fields.String(required=True),
    target=ma.fields.String(required=True),
    properties=ma.fields.Dict(required=True),
)
Graph = answer(
    "Graph",
    nodes=ma.fields.List(ma.fields.Nested(Node), required=True),
    relationships=ma.fields.List(ma.fields.Nested(Relationship), required=True),
)
ErrorBody = answer(
    "ErrorBody", status=ma.fields.Integer(required=True), message=ma.fields.String(required=True)
)
Error = answer("Error", error=ma.fields.Nested(ErrorBody, required=True))


# The library, fitted to graphapp.


class Parser(FlaskParser):
    def handle_error(self, error: ma.ValidationError, *args: Any, **kwargs: Any) -> Any:
        raise BadRequest.of(error)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()

    # flask-smorest ships no types: the decorators used here, typed. Each gives back the view it is handed,
    # registered or documented (arguments: called with the loaded parameters).

    def route(self, rule: str, **options: Any) -> Callable[[F], F]:
        return cast("Callable[[F], F]", super().route(rule, **options))

    def get(self, rule: str, **options: Any) -> Callable[[F], F]:
        return cast("Callable[[F], F]", super().get(rule, **options))

    def arguments(self, schema: type[ma.Schema], **options: Any) -> Callable[[F], F]:
        return cast("Callable[[F], F]", super().arguments(schema, **options))

    def alt_response(self, status: int, **options: Any) -> Callable[[F], F]:
        return cast("Callable[[F], F]", super().alt_response(status, **options))

    @staticmethod
    def doc(**options: Any) -> Callable[[F], F]:
        return cast("Callable[[F], F]", flask_smorest.Blueprint.doc(**options))

    # How graphapp's calls say what they take and give.

    def query(self, schema: type[Args]) -> Callable[[F], F]:
        """Read (and document) the query-string parameters ``schema`` describes; the view gets them
        loaded."""
        return self.arguments(schema, location="query")

    def answers(self, schema: type[ma.Schema] | None, description: str, *errors: int) -> Callable[[F], F]:
        """Document an operation's answer (200) and its errors: every call can also meet a caller who
        may not ask (401, 403) and a database that is down (503); :meth:`query` adds the 400."""

        def document(view: F) -> F:
            for status in sorted({*errors, 401, 403, 503}, reverse=True):
                view = self.alt_response(status, response=HTTPStatus(status).name)(view)
            return self.alt_response(200, schema=schema or Open, description=description, success=True)(view)

        return document


class Converter(OpenAPIConverter):
    def schema2parameters(self, schema: Any, *, location: str, **kwargs: Any) -> list[dict[str, Any]]:
        rules = getattr(schema, "rules", None)
        if location != "query" or not rules:
            return super().schema2parameters(schema, location=location, **kwargs)  # type: ignore[no-any-return]
        kind = schema if isinstance(schema, type) else type(schema)
        whole = self.schema2jsonschema(schema)  # type: ignore[no-untyped-call]  # (apispec leaves it unannotated)
        whole.pop("additionalProperties", None)  # (other parameters travel in the same query string)
        return [
            {
                "in": "query",
                "name": kind.__name__.removesuffix("Args").lower(),  # (not in the query string)
                "style": "form",
                "explode": True,
                "description": " ".join((kind.__doc__ or "").split()),
                "schema": {**whole, **rules},
            }
        ]


class Plugin(MarshmallowPlugin):
    Converter = Converter

    def init_spec(self, spec: Any) -> None:
        super().init_spec(spec)
        assert self.converter is not None
        self.converter.add_attribute_function(_parameter_schema)


def _parameter_schema(
    converter: OpenAPIConverter, field: ma.fields.Field[Any], ret: dict[str, Any]
) -> dict[str, Any]:
    """A parameter's schema is the one its field gives (see graphapp.params.Param.json_schema)."""
    return field.json_schema() if isinstance(field, Param) else {}


class Api(flask_smorest.Api):
    ERROR_SCHEMA = Error


def api_document(description: str) -> Api:
    """The API's document, not yet given an app (no docs UI: it would load its scripts from a CDN).

    flask-smorest registers an error handler of its own for HTTP errors; ``create_app`` registers
    graphapp's after it, which replaces it, so that every error is answered the same way (JSON under
    /api/, a page elsewhere; tests/test_api.py checks the shape)."""
    return Api(
        spec_kwargs={
            "title": "graphapp",
            "version": "1",
            "openapi_version": "3.1.0",
            "info": {"description": description},
            "marshmallow_plugin": Plugin(),
        }
    )
