"""The hostile corpus through the reader, validation, the ``validate`` command and the compiler:
each item refused with a message that says where, or compiled with its text only as strings."""

from __future__ import annotations

import ast
import io
import json
import tokenize
from pathlib import Path

import pytest

from core.cli import main as cli_main
from core.compiler import compile_graph
from core.errors import GraphFormatError
from core.graph import graph_from_dict
from core.validation import validate
from tests.hostile_corpus import MARK, Item, code_outside_strings, corpus

CORPUS = corpus()


def test_the_corpus_covers_every_area_with_enough_items() -> None:
    areas = {item.area for item in CORPUS}
    assert areas == {"expression", "text", "name", "task_queue", "graph"}
    assert len(CORPUS) >= 150


@pytest.mark.parametrize("item", CORPUS, ids=[item.id for item in CORPUS])
def test_each_item_is_refused_with_a_message_or_compiles_cleanly(
    item: Item, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command line first: JSON escapes unpaired surrogates, as a file would carry them.
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(item.document), encoding="utf-8")
    code = cli_main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in (0, 1, 2), out + err
    if code == 0:
        assert out.strip() == "OK"
    else:
        assert (out + err).strip(), "a refusal must say why"

    try:
        problems = validate(graph_from_dict(item.document))
    except GraphFormatError as error:
        problems = list(error.problems)  # type: ignore[arg-type]
        assert problems and all(message for _, message in error.problems)
    assert (code != 0) == bool(problems)
    if item.refused is not None:
        assert bool(problems) == item.refused, problems
    if problems:
        return
    bundle = compile_graph(graph_from_dict(item.document))
    for name in ("workflow.py", "worker.py", "activities.py"):
        source = bundle.files[name]
        assert MARK not in code_outside_strings(ast.parse(source)), name
        comments = [
            token.string
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT
        ]
        assert not any(MARK in comment for comment in comments), name
