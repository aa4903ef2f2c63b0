"""The examples in the docstrings of every module graphapp ships, run as tests.

pytest's ``--doctest-modules`` would import ``ingest/`` and ``queries/`` from the checkout as top-level
packages, which the wheel does not have (it ships them as ``graphapp.ingest`` and ``graphapp.queries``);
walking the installed names runs each module's examples once, under the name users import it by.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import graphapp


def _modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(graphapp.__path__, "graphapp."):
        names.append(info.name)
    for package in ("graphapp.ingest", "graphapp.queries"):  # (their folders sit beside graphapp/)
        module = importlib.import_module(package)
        names += [info.name for info in pkgutil.walk_packages(module.__path__, f"{package}.")]
    return sorted({"graphapp", "graphapp.ingest", "graphapp.queries", *names})


MODULES = _modules()


def test_every_layer_is_walked() -> None:
    assert {"graphapp.store", "graphapp.ingest.plan", "graphapp.queries.schema"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"
