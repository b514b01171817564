"""The package's import graph (every ``import`` of ``paddlehub_lite/``, lazy ones inside
functions included): the layers point one way. The module system knows no particular module
type, deployment knows no task class, and no two files import each other."""
import ast
import os

from .conftest import REPO

PACKAGE = os.path.join(REPO, "paddlehub_lite")


def _module_name(path):
    rel = os.path.relpath(path, REPO)[:-3].replace(os.sep, ".")
    return rel[:-len(".__init__")] if rel.endswith(".__init__") else rel


def import_graph():
    """{module: set of paddlehub_lite modules it imports}."""
    names = {}
    for root, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(root, name)
                names[_module_name(path)] = path
    graph = {}
    for module, path in names.items():
        edges = set()
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + ["%s.%s" % (node.module, a.name) for a in node.names]
            else:
                continue
            edges |= {t for t in targets if t in names and t != module}
        graph[module] = edges
    return graph


def _cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _edges(graph, source, target):
    return sorted((a, b) for a, bs in graph.items() for b in bs
                  if a.startswith(source) and b.startswith(target))


def test_the_module_system_knows_no_module_type():
    assert _edges(import_graph(), "paddlehub_lite.module", "paddlehub_lite.zoo") == []


def test_deployment_imports_no_task_class():
    graph = import_graph()
    assert _edges(graph, "paddlehub_lite.deploy", "paddlehub_lite.finetune.task") == []
    assert _edges(graph, "paddlehub_lite.deploy", "paddlehub_lite.zoo") == []


def test_no_import_cycles():
    # package __init__ files that re-export their own modules are not cycles of the design:
    # a package importing its child, which imports a sibling through the package, is left out
    graph = {m: {t for t in ts if not (m.startswith(t + ".") and t != "paddlehub_lite")}
             for m, ts in import_graph().items()}
    assert _cycles(graph) == []


def test_the_graph_sees_lazy_imports():
    """A function-local import is an edge (so the tests above can fail)."""
    graph = import_graph()
    assert "paddlehub_lite.zoo.elmo.module_type" in graph["paddlehub_lite.zoo.elmo"]


def test_no_file_of_the_package_over_300_lines():
    long = []
    for root, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as handle:
                    count = sum(1 for _ in handle)
                if count > 300:
                    long.append((os.path.relpath(path, REPO), count))
    assert long == []
