"""Evaluate expr-lang as Argo runs it in ``{{=...}}``, ``valueFrom.expression``, hooks and ``depends``.

Argo v4.1.2 pins github.com/expr-lang/expr v1.17.8 (``go.mod``) and always compiles with the
environment given (``expr.Compile(code, expr.Env(env))``: ``util/template/expression_template.go``
l. 241, ``util/expr/argoexpr/eval.go`` l. 10), so an expression is first *checked* against the
environment's types (an unknown name, ``"a" + 1`` or ``"1" == 1`` fail even in a branch that never
runs) and then run. This module follows that pipeline:

* a lexer ported from ``parser/lexer/state.go`` and ``lexer.go`` (the keyword operators are
  :data:`KEYWORDS`; ``nil``, ``true`` and ``false`` are literals, so none of :data:`RESERVED_NAMES`
  can be a variable);
* a precedence-climbing parser ported from ``parser/parser.go`` (expr's precedences are not a
  textbook grammar: ``not a == b`` is ``(not a) == b``, ``a ?? b + c`` is an error, ``a < b < c``
  chains, ``x | f()`` pipes), building a lark :class:`~lark.Tree` (the node names below);
* a checker ported from ``checker/checker.go`` over the types it can know (literals and the
  environment's top-level values; anything read out of a map is ``interface{}``, unchecked);
* an evaluator with the VM's runtime rules (``vm/vm.go``, ``vm/runtime/runtime.go``,
  ``vm/runtime/helpers[generated].go``, ``builtin/builtin.go``, ``builtin/lib.go``): ``/`` gives a
  float, ints wrap at 64 bits, ``==`` across types is false, ``<`` across types is an error, a missing
  map key is nil, ``string(x)`` is Go's ``%v``, and Argo's helpers (``util/expr/env/env.go``
  GetFuncMap: ``asInt``, ``asFloat``, ``jsonpath``, ``toJson``, ``sprig``).

Tree nodes (``Tree.data``): number, string, key, true, false, nil, name, pointer, array, mapping, pair,
closure, member, index, optmember, optindex, chain, slice, call, args, neg, pos, not_, binop, coalesce,
cond, let, seq.

>>> evaluate("asFloat(tasks['eval'].outputs.parameters['auc']) >= 0.8",
...          {"tasks": {"eval": {"outputs": {"parameters": {"auc": "0.91"}}}}})
True
>>> evaluate("toJson('a' + x)", {"x": '"b'})
'"a\\\\"b"'
>>> evaluate("string([1, 2.5, {'a': nil}])", {})
'[1 2.5 map[a:<nil>]]'
"""

from __future__ import annotations

from mldsl.argo.errors import ExprError
from mldsl.argo.exprlang.builtin import BUILTINS
from mldsl.argo.exprlang.goduration import GoDuration
from mldsl.argo.exprlang.gotime import GoTime
from mldsl.argo.exprlang.parser import parse
from mldsl.argo.exprlang.run import evaluate
from mldsl.argo.exprlang.tokens import KEYWORDS, RESERVED_NAMES, go_float
from mldsl.argo.exprlang.tokens import Token as Token
from mldsl.argo.exprlang.tokens import Tree as Tree
from mldsl.argo.exprlang.values import go_string, to_json
from mldsl.argo.gostrconv import parse_float, parse_int

__all__ = [
    "BUILTINS",
    "KEYWORDS",
    "RESERVED_NAMES",
    "ExprError",
    "GoDuration",
    "GoTime",
    "evaluate",
    "go_float",
    "go_string",
    "parse",
    "parse_float",
    "parse_int",
    "to_json",
]
