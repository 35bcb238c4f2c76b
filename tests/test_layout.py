"""The code's shape stays readable: no function in app/ over 60 lines, no import cycle between
its modules (imports inside functions and for type checking only excepted)."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
MAX_FUNCTION_LINES = 60


def _modules() -> dict[str, ast.Module]:
    modules = {}
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(APP.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(module: ast.Module, name: str, known: set[str]) -> set[str]:
    """The app modules ``name`` imports when it is loaded."""
    found: set[str] = set()
    package = name if name in known and _is_package(name) else name.rpartition(".")[0]

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and not _is_type_checking(node):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)

    visit(module.body)
    return {target for target in found if target in known and target != name}


_PACKAGES = {".".join(path.relative_to(APP.parent).parts[:-1]) for path in APP.rglob("__init__.py")}


def _is_package(name: str) -> bool:
    return name in _PACKAGES


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_function_is_longer_than_sixty_lines():
    long = [
        f"{name}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for name, module in _modules().items()
        for node in ast.walk(module)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_no_import_cycle():
    modules = _modules()
    known = set(modules)
    graph = {name: _top_level_imports(module, name, known) for name, module in modules.items()}
    # A package importing its own submodules (to register them) is how a package loads, not
    # a cycle between areas: only edges from a submodule up to its package count.
    for name in graph:
        graph[name] = {target for target in graph[name] if not target.startswith(name + ".")}
    assert _cycles(graph) == []


def test_the_checks_see_a_cycle_and_a_long_function():
    """The checks themselves work: a made-up cycle is found, and so is a long function."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    source = "def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES
    function = ast.parse(source).body[0]
    assert function.end_lineno - function.lineno + 1 > MAX_FUNCTION_LINES
