"""The type stubs describe the extension module exactly: the same classes, functions and
methods, with the same parameter names."""

import ast
import inspect
import pathlib

import kexian._kexian as ext

STUB = pathlib.Path(__file__).resolve().parents[1] / "kexian" / "_kexian.pyi"


def stub_items():
    tree = ast.parse(STUB.read_text())
    classes, functions = {}, {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {
                f.name: [a.arg for a in f.args.args if a.arg != "self"]
                for f in node.body if isinstance(f, ast.FunctionDef)
            }
        elif isinstance(node, ast.FunctionDef):
            functions[node.name] = [a.arg for a in node.args.args]
    return classes, functions


def public(obj):
    return {n for n in dir(obj) if not n.startswith("__")}


def test_stubs_match_the_module():
    classes, functions = stub_items()
    exceptions = {"KexianError", "ParameterError", "DataError", "ModelError", "BudgetError"}
    module_classes = {n for n in public(ext) if inspect.isclass(getattr(ext, n))}
    assert module_classes == set(classes)
    module_functions = {n for n in public(ext) if callable(getattr(ext, n)) and n not in module_classes}
    assert module_functions == set(functions)
    for name, methods in classes.items():
        if name in exceptions:
            continue
        cls = getattr(ext, name)
        assert {m for m in public(cls)} == set(methods), name
        for m, params in methods.items():
            sig = inspect.signature(getattr(cls, m))
            names = [p for p in sig.parameters if p != "self"]
            assert names == params, f"{name}.{m}: {names} vs {params}"
    for name, params in functions.items():
        assert list(inspect.signature(getattr(ext, name)).parameters) == params, name
