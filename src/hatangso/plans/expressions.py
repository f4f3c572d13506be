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
def _parse_expression(expression: str) -> ast.Expression:
    with PARSE_LOCK:
        return ast.parse(expression, mode="eval")


def expression_names(expression: str) -> set[str]:
    """The data-element codes an expression uses: its names, not function names or literals."""
    try:
        tree = _parse_expression(expression)
    except SyntaxError:
        return set()  # the engine reports the syntax error with the expression
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called}
