"""The names an indicator's or a rule's expression reads. Apart from the plan file's pydantic
models, so that the engine and the checks load without them (issue 19, item 7)."""

import ast
import functools
import threading

# CPython 3.11's parser can fail when two threads parse at once ("AST constructor recursion depth
# mismatch", gh-106905): the web server's threads evaluate indicators concurrently, so expressions
# are parsed under a lock, once per process.
PARSE_LOCK = threading.Lock()


@functools.lru_cache(maxsize=4096)
def expression_names(expression: str) -> frozenset[str]:
    """The data-element codes an expression uses: its names, not function names or literals (read
    once per process: the engine asks for each indicator's several times a scorecard)."""
    try:
        with PARSE_LOCK:
            tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return frozenset()  # the engine reports the syntax error with the expression
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return frozenset(
        node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called
    )
