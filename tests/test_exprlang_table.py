"""mldsl.argo.exprlang against expr-lang v1.17.8 (the version argo-workflows v4.1.2 pins in go.mod)
and Argo's GetFuncMap (``util/expr/env/env.go``).

One table: (expression, env, expected). ``expected`` is the value, ``Err(text)`` for an error whose
message contains ``text``, or ``Check(predicate)`` for a value that depends on the clock. Each row cites
the source line it follows ("expr" = github.com/expr-lang/expr at tag v1.17.8, "argo" = argo-workflows
v4.1.2). Every expected value was also checked by running the same expression through expr v1.17.8
itself (Compile with expr.Env(env), then Run), with Argo's asInt/asFloat/jsonpath/toJson and the sprig
functions used here added as GetFuncMap adds them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from mldsl.argo import exprlang
from mldsl.argo.exprlang import KEYWORDS, RESERVED_NAMES, ExprError, evaluate, go_string, parse, to_json
from mldsl.argo.gostrconv import NumError, atoi, format_float_json, format_float_v, parse_float, parse_int


@dataclass(frozen=True)
class Err:
    text: str


@dataclass(frozen=True)
class Check:
    test: Callable[[Any], bool]
    why: str


WEATHER = '{"weekWeather": "eyJ0ZW1wcyI6IFszNCwgMjcsIDE1LCA1NywgNDZdfQo="}'
EMPLOYEES = '{"employees": [{"name": "Baris", "age":43},{"name": "Mo", "age": 42}, {"name": "Jai", "age" :44}]}'
CONFIG = '{"a": "1", "b": "2", "c": "3"}'
NAN = object()

CASES: list[tuple[str, dict[str, Any], Any]] = [
    # --- 1. string() is Go's %v ----------------------------------------------------------------
    ("string([1,2])", {}, "[1 2]"),  # expr builtin/lib.go l. 232-234: fmt.Sprintf("%v", arg)
    ('string({"a":1})', {}, "map[a:1]"),  # %v of a map: map[k:v]
    ('string({"b": 2, "a": [1, {"c": nil}]})', {}, "map[a:[1 map[c:<nil>]] b:2]"),  # fmt sorts map keys
    ("string([1.5, 1e6, 0.1, 3.0, true, 'x'])", {}, "[1.5 1e+06 0.1 3 true x]"),  # strconv/ftoa.go: %v eprec 6
    ("string(1234567.0)", {}, "1.234567e+06"),  # exponent >= 6 -> %e
    ("string(123456.0)", {}, "123456"),
    ("string(0.0001)", {}, "0.0001"),  # exponent -4 stays %f
    ("string(0.00001)", {}, "1e-05"),  # below -4 -> %e, two exponent digits
    ("string(-0.0)", {}, "-0"),
    ("string(nil)", {}, "<nil>"),
    ("string(x.y)", {"x": {"y": [1, "a"]}}, "[1 a]"),  # nested values read at run time too
    ("string(duration('90m'))", {}, "1h30m0s"),  # time.Duration.String
    ("string(date('2024-01-02T03:04:05+08:00'))", {}, "2024-01-02 03:04:05 +0800 +0800"),  # time.Time.String
    # --- 2. join -----------------------------------------------------------------------------
    ("join([1,2], ',')", {}, Err("interface {} is int, not string")),  # expr builtin/builtin.go l. 337-341
    ("join(['a','b'], ',')", {}, "a,b"),  # builtin.go l. 327-336
    ("join(['a','b'])", {}, "ab"),  # glue defaults to "" (l. 330)
    ("join(x, '-')", {"x": ["a", "b"]}, "a-b"),
    # --- 3. arithmetic and comparison ---------------------------------------------------------
    ("7 / 2", {}, 3.5),  # expr checker.go l. 392-398 and helpers Divide: always float64
    ("4 / 2", {}, 2.0),
    ("1 / 0", {}, math.inf),  # float64 division: +Inf, no error
    ("0 / 0", {}, NAN),
    ("7 % 3", {}, 1),  # helpers Modulo: int % int
    ("-7 % 3", {}, -1),  # Go's % truncates toward zero
    ("7.5 % 2", {}, Err("mismatched types float64 and int")),  # checker.go l. 408-414: % needs ints
    ("1 % 0", {}, Err("integer divide by zero")),  # optimizer/fold.go l. 173-181: a compile error
    ("x % 0", {"x": 1}, Err("integer divide by zero")),  # at run time: Go's runtime panic
    ("9223372036854775807 + 1", {}, -9223372036854775808),  # int is int64 and wraps
    ("9223372036854775807 * 2", {}, -2),
    ("9223372036854775808", {}, Err("invalid integer literal")),  # parser.go l. 515-520: ParseInt(10, 64)
    ("2 ** 3", {}, 8.0),  # runtime.go Exponent l. 307-309: math.Pow, a float
    ("2 ^ 10", {}, 1024.0),  # ^ is ** (operator.go l. 62-63)
    ("-2 ** 2", {}, -4.0),  # unary - (90) binds looser than ** (100): operator.go l. 32-37
    ("0 ** -1", {}, math.inf),  # math.Pow(0, -1)
    ("1 < 1.5", {}, True),  # helpers Less: int against float64
    ("1 == 1.0", {}, True),  # helpers Equal: numbers across types
    ("'a' < 'b'", {}, True),
    ("'a' < 1", {}, Err("invalid operation: < (mismatched types string and int)")),  # checker.go l. 341-356
    ("x.y < 1", {"x": {"y": "5"}}, Err("invalid operation: string < int")),  # unknown at compile time: helpers Less panics
    ("'1' == 1", {}, Err("invalid operation: == (mismatched types string and int)")),  # checker.go l. 328-331
    ("x.y == 5", {"x": {"y": "5"}}, False),  # runtime.Equal: different types are unequal
    ("[1] == [1.0]", {}, True),  # Equal on []interface{} item by item
    ("{'a': 1} == {'a': 1.0}", {}, False),  # maps: reflect.DeepEqual, int is not float64
    ("9007199254740993 == 9007199254740992.0", {}, True),  # helpers Equal: float64(x) == y
    ("{'a': 1, 'a': 2}.a", {}, 1),  # vm.go OpMap l. 487-496: the first of a repeated key wins
    ("map(x.s, # + 1)", {"x": {"s": "s"}}, [116]),  # vm.go OpBegin l. 621-623: a string's bytes
    ("toJson(split('a,b', ',', 0))", {}, "null"),  # strings.SplitN(.., 0) is a nil slice
    ("nil == nil", {}, True),
    ("1 < 2 < 3", {}, True),  # parser.go parseComparison l. 907-940: a chain, joined by &&
    ("3 > 2 > 2", {}, False),
    ("1 + 'a'", {}, Err("mismatched types int and string")),  # checker.go l. 416-434
    ("x + 1", {"x": "5"}, Err("mismatched types string and int")),  # a top-level env value has its own type
    ("x.y + 1", {"x": {"y": "5"}}, Err("invalid operation: string + int")),  # a nested one is only known at run time
    ("-'a'", {}, Err("invalid operation: - (mismatched type string)")),  # checker.go unaryNode l. 305-317
    ("1..3", {}, [1, 2, 3]),  # operator.go l. 56 and vm.go OpRange
    ("3..1", {}, []),
    # --- 4. asInt / asFloat: expr's int/float, strconv.Atoi and ParseFloat -----------------------
    ("asInt('42')", {}, 42),  # argo env.go l. 22-23: asInt is builtin.Int; expr lib.go l. 180-185 Atoi
    ("asInt('+42')", {}, 42),  # Atoi takes a sign
    ("asInt('-0')", {}, 0),
    ("asInt('42\\r\\n')", {}, Err("invalid operation: int(42")),  # no trimming: Atoi refuses the CR LF
    ("asInt(' 42')", {}, Err("invalid operation: int( 42)")),
    ("asInt('4_2')", {}, Err("invalid operation: int(4_2)")),  # _ only with base 0 (atoi.go)
    ("asInt('0x10')", {}, Err("invalid operation: int(0x10)")),  # Atoi is base 10
    ("asInt('42.0')", {}, Err("invalid operation: int(42.0)")),  # a float string is refused
    ("asInt('9223372036854775808')", {}, Err("invalid operation: int(9223372036854775808)")),  # out of range
    ("asInt(42.9)", {}, 42),  # lib.go l. 158-159: int(float64) truncates
    ("asInt(-42.9)", {}, -42),
    ("asInt(true)", {}, Err("invalid operation: int(bool)")),  # lib.go l. 186-191
    ("asInt(x.n)", {"x": {"n": "7"}}, 7),
    ("asInt()", {}, Err("not enough arguments to call asInt")),  # checker.go checkArguments l. 1095-1108
    ("asFloat('1e3')", {}, 1000.0),  # argo env.go l. 24-25; expr lib.go l. 221-226 ParseFloat
    ("asFloat('inf')", {}, math.inf),  # atof.go special: inf, infinity, nan in any case
    ("asFloat('-Infinity')", {}, -math.inf),
    ("asFloat('NaN')", {}, NAN),
    ("asFloat('+nan')", {}, Err("invalid operation: float(+nan)")),  # a sign only before inf
    ("asFloat('4_2')", {}, 42.0),  # ParseFloat allows _ between digits
    ("asFloat('1_.5')", {}, Err("invalid operation: float(1_.5)")),
    ("asFloat('0x10')", {}, Err("invalid operation: float(0x10)")),  # a hex float needs a p exponent
    ("asFloat('0x1p4')", {}, 16.0),
    ("asFloat(' 1')", {}, Err("invalid operation: float( 1)")),
    ("asFloat('1e400')", {}, Err("invalid operation: float(1e400)")),  # ErrRange is an error
    ("asFloat('.5')", {}, 0.5),
    ("asFloat(3)", {}, 3.0),
    ("int('7')", {}, 7),  # the built-ins asInt/asFloat alias
    ("float('2.5')", {}, 2.5),
    # --- 5. the corpus (/work/shared/argo-examples) and the built-ins -----------------------------
    (  # expression-destructure-json-complex.yaml; argo env.go jsonPath l. 40-51 (numbers are float64)
        "jsonpath(workflow.parameters.config, '$.employees[?(@.name==\"Baris\")].age')",
        {"workflow": {"parameters": {"config": EMPLOYEES}}},
        [43.0],
    ),
    (
        "jsonpath(workflow.parameters.config, '$.employees[?(@.age>42 && @.age<44)].age')",
        {"workflow": {"parameters": {"config": EMPLOYEES}}},
        [43.0],
    ),
    (
        "jsonpath(workflow.parameters.config, '$.employees[0:1]')",
        {"workflow": {"parameters": {"config": EMPLOYEES}}},
        [{"name": "Baris", "age": 43.0}],
    ),
    (
        "jsonpath(workflow.parameters.config, '$.employees[*].name')",
        {"workflow": {"parameters": {"config": EMPLOYEES}}},
        ["Baris", "Mo", "Jai"],
    ),
    ("jsonpath(workflow.parameters.config, '$.a')", {"workflow": {"parameters": {"config": CONFIG}}}, "1"),
    ("jsonpath(workflow.parameters.config, '$.b')", {"workflow": {"parameters": {"config": CONFIG}}}, "2"),
    ("jsonpath(workflow.parameters.config, '$.c')", {"workflow": {"parameters": {"config": CONFIG}}}, "3"),
    ("jsonpath(workflow.parameters.config, '$.z')", {"workflow": {"parameters": {"config": CONFIG}}}, Err("not found")),
    (  # conditionals.yaml
        "jsonpath(workflow.parameters.json, '$[0].value') == 'true'",
        {"workflow": {"parameters": {"json": '[{"value": "true"}]'}}},
        True,
    ),
    ("jsonpath(x, '$.a.length')", {"x": '{"a": [1, 2, 3]}'}, 3),  # evilmonkeyinc/jsonpath: .length
    ("jsonpath(1, '$')", {}, Err("cannot use int as argument (type string) to call jsonpath")),  # env.go l. 40
    (  # expression-reusing-verbose-snippets.yaml: map with #, sprig.b64dec/add/min/max, toJson of a map
        "map([jsonpath(sprig.b64dec(jsonpath(workflow.parameters.weather, '$.weekWeather')), '$.temps')], "
        "{toJson({avg: sprig.add(#[0], #[1], #[2], #[3], #[4]) / 5, min: sprig.min(#[0], #[1], #[2], #[3], #[4]), "
        "max: sprig.max(#[0], #[1], #[2], #[3], #[4])})})[0]",
        {"workflow": {"parameters": {"weather": WEATHER}}},
        '{"avg":35.8,"max":57,"min":15}',
    ),
    (  # the same file's consumers
        "jsonpath(inputs.parameters['week-temps'], '$.avg')",
        {"inputs": {"parameters": {"week-temps": '{"avg":35.8,"max":57,"min":15}'}}},
        35.8,
    ),
    (
        "jsonpath(inputs.parameters['week-temps'], '$.min')",
        {"inputs": {"parameters": {"week-temps": '{"avg":35.8,"max":57,"min":15}'}}},
        15.0,
    ),
    (
        "jsonpath(inputs.parameters['week-temps'], '$.max')",
        {"inputs": {"parameters": {"week-temps": '{"avg":35.8,"max":57,"min":15}'}}},
        57.0,
    ),
    ("toJson(filter([1, 3], {# > 1}))", {}, "[3]"),  # expression-tag-template-workflow.yaml
    ("item", {"item": 3}, 3),  # {{=item}}
    ("asInt(inputs.parameters.foo) * 10", {"inputs": {"parameters": {"foo": "4"}}}, 40),
    (  # sprig date.go l. 13-44: a string is not a time.Time, so it formats *now*
        "sprig.date('2006', workflow.creationTimestamp)",
        {"workflow": {"creationTimestamp": "2020-01-01T00:00:00Z"}},
        Check(lambda v: v.isdigit() and int(v) >= 2025, "the current year, not 2020"),
    ),
    ("sprig.date('2006-01-02', 86400)", {}, "1970-01-02"),  # an int is Unix seconds
    ("inputs.parameters[\"should-print\"] == 'true'", {"inputs": {"parameters": {"should-print": "true"}}}, True),
    ('filter(data, {# endsWith "main.log"})', {"data": ["a/main.log", "b.txt"]}, ["a/main.log"]),
    (  # fibonacci: nested ?: (parser.go parseConditional l. 366-392)
        "asInt(inputs.parameters.num) == 1? 1: asInt(inputs.parameters.num) == 2? 1: "
        "steps['fibonacci-helper'].outputs.parameters.result",
        {"inputs": {"parameters": {"num": "3"}}, "steps": {"fibonacci-helper": {"outputs": {"parameters": {"result": "2"}}}}},
        "2",
    ),
    (
        "steps['flip-coin'].outputs.result == 'heads' ? steps.heads.outputs.result : steps.tails.outputs.result",
        {"steps": {"flip-coin": {"outputs": {"result": "tails"}}, "heads": {}, "tails": {"outputs": {"result": "T"}}}},
        "T",
    ),
    (
        "tasks['flip-coin'].outputs.result == 'heads' ? tasks.heads.outputs.result : tasks.tails.outputs.result",
        {"tasks": {"flip-coin": {"outputs": {"result": "heads"}}, "heads": {"outputs": {"result": "H"}}, "tails": {}}},
        "H",
    ),
    (
        "tasks.producer.outputs.parameters.msg ?? 'expr-fallback'",
        {"tasks": {"producer": {"outputs": {"parameters": {}}}}},
        "expr-fallback",
    ),
    ('steps.step2.status == "Running"', {"steps": {"step2": {"status": "Running"}}}, True),
    ('steps.step2.status == "Succeeded"', {"steps": {"step2": {"status": "Running"}}}, False),
    ('steps["step-1"].status == "Running"', {"steps": {"step-1": {"status": "Running"}}}, True),
    ('steps["step-1"].status == "Succeeded"', {"steps": {"step-1": {"status": "Succeeded"}}}, True),
    ("workflow.parameters.foo", {"workflow": {"parameters": {"foo": "bar"}}}, "bar"),
    ('workflow.status == "Running"', {"workflow": {"status": "Running"}}, True),
    (  # retry-conditional.yaml, after {{inputs.parameters.safe-to-retry}} became true
        'asInt(lastRetry.exitCode) > 1 && lastRetry.status != "Error" && asInt(lastRetry.duration) < 120 && '
        "(true == true || lastRetry.message matches 'imminent node shutdown|pod deleted')",
        {"lastRetry": {"exitCode": "2", "status": "Failed", "duration": "10", "message": "x"}},
        True,
    ),
    ("lastRetry.message matches 'imminent node shutdown|pod deleted'", {"lastRetry": {"message": "pod deleted"}}, True),
    (  # cron-when.yaml: nil before the first run
        "cronworkflow.lastScheduledTime == nil || (now() - cronworkflow.lastScheduledTime).Seconds() > 360",
        {"cronworkflow": {"lastScheduledTime": None}},
        True,
    ),
    (  # and a time.Time afterwards: time - time is a Duration (helpers Subtract)
        "cronworkflow.lastScheduledTime == nil || (now() - cronworkflow.lastScheduledTime).Seconds() > 360",
        {"cronworkflow": {"lastScheduledTime": exprlang.GoTime(ns=0)}},
        True,
    ),
    ("len('héllo')", {}, 5),  # lib.go Len l. 14-24: runes
    ("len({'a': 1})", {}, 1),
    ("len(1)", {}, Err("invalid argument for len (type int)")),  # builtin.go l. 112-124
    ("lower('ABC') + upper('d')", {}, "abcD"),
    ("trim('  a  ')", {}, "a"),  # builtin.go l. 206-221
    ("trim('xxaxx', 'x')", {}, "a"),
    ("split('a,b,c', ',')", {}, ["a", "b", "c"]),  # l. 265-279
    ("split('a,b,c', ',', 2)", {}, ["a", "b,c"]),
    ("splitAfter('a,b,c', ',')", {}, ["a,", "b,", "c"]),
    ("replace('aaa', 'a', 'b')", {}, "bbb"),  # l. 296-311
    ("replace('aaa', 'a', 'b', 2)", {}, "bba"),
    ("indexOf('héllo', 'l')", {}, 3),  # strings.Index counts bytes
    ("hasPrefix('abc', 'ab') && hasSuffix('abc', 'bc')", {}, True),
    ("keys({'a': 1})", {}, ["a"]),  # l. 685-714 (several keys come in Go's random map order)
    ("values({'a': 2})", {}, [2]),
    ("first([1, 2])", {}, 1),  # l. 596-618
    ("last([1, 2])", {}, 2),
    ("first([])", {}, None),  # a failed fetch is recovered as nil
    ("get([1, 2], 5)", {}, None),  # lib.go get l. 546-618: nil, not a panic
    ("get({'a': 1}, 'a')", {}, 1),
    ("duration('1h30m').Minutes()", {}, 90.0),  # builtin.go l. 505-511: time.ParseDuration
    ("duration('1')", {}, Err("missing unit")),
    ("now() > date('2020-01-01')", {}, True),  # l. 477-504, 512-565
    ("date('2024-01-02T03:04:05+08:00').Unix()", {}, 1704135845),  # RFC 3339 keeps the offset
    ("date('12/31/2023', '01/02/2006').Year()", {}, 2023),  # a Go layout
    ("date('2024-01-02T03:04:05Z').Format('2006-01-02 15:04')", {}, "2024-01-02 03:04"),
    ("(date('2024-01-02T03:04:05Z') - date('2024-01-01T00:00:00Z')).Hours()", {}, 27.068055555555556),
    ("date('nope')", {}, Err("invalid date nope")),
    ("1 ?: 2", {}, Err("non-bool expression (type int) used as condition")),  # parser.go l. 375-379, checker l. 1283-1289
    ("x.y ?? 'd'", {"x": {}}, "d"),  # ?? (compiler.go l. 612-619)
    ("0 ?? 2", {}, 0),  # only nil is replaced
    ("a ?? 1 + 2", {"a": None}, Err("cannot be mixed")),  # parser.go l. 271-274
    ("1 + a ?? 2", {"a": None}, 3),  # ?? (500) binds tighter than + (30)
    ("x?.y", {"x": None}, Err("type nil has no field y")),  # checker.go l. 539-542: a nil env value
    ("x.y?.z", {"x": {}}, None),  # ?. (parser.go l. 777-838): the chain is nil
    ("x.y?.z.w", {"x": {}}, None),  # ...to the end of the chain
    ("x.y?.z[0]", {"x": {}}, Err("cannot fetch 0 from <nil>")),  # parser.go l. 883-896: [ ] ends the chain
    ("x.y?.[0]", {"x": {}}, None),
    ("'a' in ['a', 'b']", {}, True),  # runtime.go In l. 209-264
    ("1 in [1.0]", {}, True),  # by runtime.Equal
    ("'z' not in {'a': 1}", {}, True),  # parser.go l. 238-259: not in
    ("1 in {'a': 1}", {}, Err("cannot use int as type string in map key")),  # checker.go l. 440-446
    ("x in y.z", {"x": "a", "y": {}}, False),  # In: nil is empty (runtime.go l. 210-212)
    ("x in y", {"x": "a", "y": None}, Err("mismatched types string and unknown")),  # a nil env value: checker.go l. 436-459
    ("'abc' contains 'b'", {}, True),  # vm.go l. 335-342
    ("x.k contains 'a'", {"x": {"k": None}}, False),  # nil is false, not an error
    ("x.k contains 'a'", {"x": {"k": 1}}, Err("interface {} is int, not string")),
    ("'abc' startsWith 'a' and 'abc' endsWith 'c'", {}, True),
    ("'abc' matches '^a.c$'", {}, True),
    ("'abc' matches '('", {}, Err("error parsing regexp")),  # checker.go l. 461-467: a constant pattern is compiled
    ("'héllo'[1:3]", {}, "é"),  # runtime.go Slice l. 164-207: bytes of the string
    ("[1, 2, 3][-1]", {}, 3),  # runtime.go Fetch l. 44-57: negative from the end
    ("[1, 2, 3][3]", {}, Err("index out of range: 3 (array length is 3)")),
    ("[1, 2, 3][5:9]", {}, []),  # Slice clamps
    ("[1, 2, 3][-2:]", {}, [2, 3]),
    ("'abc'[0]", {}, Err("type string[int] is undefined")),  # checker.go l. 596-602
    ("let x = 2; x * x", {}, 4),  # parser.go parseVariableDeclaration l. 323-336
    ("let x = 1; let y = x + 1; y", {}, 2),
    ("let x = 1; x", {"x": 2}, Err("cannot redeclare x")),  # checker.go l. 1250-1264
    ("let len = 1; len", {}, Err("cannot redeclare builtin len")),
    ("if 1 > 0 { 'y' } else { 'n' }", {}, "y"),  # parser.go parseConditionalIf l. 338-364
    ("map([1, 2], # * #index)", {}, [0, 2]),  # checker.go l. 754: #index in map
    ("map([{'a': 2}], .a)", {}, [2]),  # parser.go l. 419-435: .a is #.a in a predicate
    ("filter([1, 2, 3], # > 1) | map(# * 10)", {}, [20, 30]),  # the pipe: parser.go l. 264-268
    ("'a,b' | split(',')", {}, ["a", "b"]),
    ("[1, 2] | map(# * 2) | len() * 10 + 1", {}, 21),  # after a pipe the loop goes on (l. 311-313)
    ("reduce([1, 2, 3], # + #acc)", {}, 6),  # compiler.go l. 1118-1146
    ("reduce([], # + #acc)", {}, Err("reduce of empty array with no initial value")),
    ("findIndex([1, 2], # > 5)", {}, None),  # compiler.go l. 1033: nil when nothing matches
    ("count([1, 2, 3], # > 1)", {}, 2),
    ("sum([1, 2.5])", {}, 3.5),
    ("all([1, 2], # > 0) and none([1], # > 5) and any([1, 2], # > 1) and one([1, 2], # > 1)", {}, True),
    ("sortBy([{'a': 2}, {'a': 1}], .a)", {}, [{"a": 1}, {"a": 2}]),
    ("filter(1, # > 0)", {}, Err("builtin filter takes only array (got int)")),  # checker.go l. 720-725
    ("filter([1], 1)", {}, Err("predicate should return boolean (got int)")),
    ("sprig.trim('  a ') + sprig.toString(1.5) + sprig.toString([1])", {}, "a1.5[1]"),  # sprig strval
    ("sprig.trimPrefix('a', 'abc')", {}, "bc"),  # sprig functions.go: trimPrefix(prefix, s)
    ("sprig.sha256sum('x')", {}, "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"),
    ("sprig.add(1, '2', 3.9, nil, true)", {}, 7),  # cast.ToInt64 per argument
    ("sprig.trim(1)", {}, Err("reflect: Call using int as type string")),  # a Go func through reflection
    ("sprig.nosuch(1)", {}, Err("cannot call nil")),  # a missing map key is nil (vm.go l. 368-372)
    ("sprig.trim(undefinedVar)", {}, ""),  # an unknown callee's arguments are not checked (checker.go l. 659-662)
    # --- 6. keywords -------------------------------------------------------------------------
    ("contains == 1", {"contains": 1}, Err('unexpected token Operator("contains")')),  # lexer state.go l. 140-141
    ("in", {"in": 1}, Err('unexpected token Operator("in")')),
    ("matches.Succeeded", {"matches": {"Succeeded": True}}, Err("unexpected token")),  # a task named matches in depends
    ("not", {}, Err("unexpected token EOF")),
    ("let", {}, Err("unexpected token")),
    ("if", {}, Err("unexpected token EOF")),
    ("else", {"else": 1}, Err('unexpected token Operator("else")')),
    ("nil.x", {}, Err('unexpected token Operator(".")')),  # parser.go l. 468-473: nil is a literal
    ("true", {"true": False}, True),  # parser.go l. 456-461: true is never the env's
    ("x.in + x.not + x.contains", {"x": {"in": 1, "not": 2, "contains": 3}}, 6),  # parser.go l. 792-796: fine as members
    ("{true: 1}", {}, {"true": 1}),  # an identifier map key is a string (parser.go l. 745-750)
    ("startsWithX + endsWith_", {"startsWithX": 1, "endsWith_": 2}, 3),  # only the whole word is a keyword
    ("a not b", {"a": 1, "b": 2}, Err("unexpected token")),  # not must be followed by in, matches, ...
    # --- 7. names and nil ---------------------------------------------------------------------
    ("unknownVar", {}, Err("unknown name unknownVar")),  # checker.go l. 285-287: strict with expr.Env
    ("true || unknownVar", {}, Err("unknown name unknownVar")),  # even where it never runs
    ("false && ('a' > 1)", {}, Err("mismatched types string and int")),  # types are checked everywhere
    ("true ? 1 : 'a' + 1", {}, Err("mismatched types string and int")),
    ("x.nope", {"x": {"a": 1}}, None),  # a missing map key is nil (runtime.go Fetch l. 58-71)
    ("x.a.b", {"x": {}}, Err("cannot fetch b from <nil>")),  # runtime.go l. 23-25
    ("x.y", {"x": None}, Err("type nil has no field y")),  # a nil env value, at compile time
    ("x.y", {"x": "s"}, Err("type string has no field y")),
    ("x.y", {"x": [1]}, Err("array elements can only be selected using an integer (got string)")),
    ("m[1]", {"m": {"a": 1}}, Err("cannot use int to get an element from map[string]interface {}")),
    ("x.a.b", {"x": {"a": [1]}}, Err("invalid operation: int(string)")),  # runtime.ToInt on a list index
    ("$env.x", {"x": 1}, 1),  # checker.go l. 516-529
    ("$env.nope", {"x": 1}, Err("unknown name nope")),
    ("x.y && true", {"x": {"y": "s"}}, "s"),  # optimizer/fold.go l. 215-225: x && true is x
    ("x.y ? 1 : 2", {"x": {"y": None}}, Err("interface {} is nil, not bool")),  # vm.go OpJumpIfFalse: .(bool)
    ("!x.y", {"x": {"y": None}}, Err("interface {} is nil, not bool")),  # vm.go OpNot
    ("not true == false", {}, True),  # not (50) binds tighter than == (20): (not true) == false
    ("not 1 == 2", {}, Err("invalid operation: not (mismatched type int)")),
    ("toJson(1 / 0)", {}, Err("json: unsupported value: +Inf")),  # env.go l. 32-38: the Marshal error panics
    ("toJson({'b': 1, 'a': '<&>'})", {}, '{"a":"\\u003c\\u0026\\u003e","b":1}'),  # keys sorted, HTML escaped
    ("toJson([1.0, 1e6, 1e21, 1e-7])", {}, "[1,1000000,1e+21,1e-7]"),  # encoding/json float format
    ("`raw\\n` + '\\u00e9\\x41\\101'", {}, "raw\\néAA"),  # lexer.go scanRawString, utils.go unescape
    ("'a\\\"b'", {}, Err("invalid char escape")),  # lexer.go scanEscape l. 203-252: only the own quote
    ("0x1F + 0o17 + 0b101 + 1_000", {}, 1051),  # lexer.go scanNumber l. 80-116, parser.go l. 485-525
    ("012", {}, 12),  # decimal, not octal
    ("1.e2 + .5", {}, 100.5),
]


def _id(case: tuple[str, dict[str, Any], Any]) -> str:
    return case[0][:60]


@pytest.mark.parametrize(("code", "env", "expected"), CASES, ids=[_id(c) for c in CASES])
def test_expr(code: str, env: dict[str, Any], expected: Any) -> None:
    if isinstance(expected, Err):
        with pytest.raises(ExprError) as err:
            evaluate(code, env)
        assert expected.text in str(err.value), str(err.value)
        return
    got = evaluate(code, env)
    if isinstance(expected, Check):
        assert expected.test(got), f"{got!r}: {expected.why}"
    elif expected is NAN:
        assert isinstance(got, float) and math.isnan(got)
    else:
        assert got == expected and type(got) is type(expected), f"{got!r} ({type(got).__name__})"


def test_keywords_are_the_lexers() -> None:
    """parser/lexer/state.go l. 137-147 (v1.17.8); nil/true/false are parser literals (parser.go l. 455-473)."""
    assert frozenset({"not", "in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let", "if", "else"}) == KEYWORDS
    assert KEYWORDS | {"nil", "true", "false"} == RESERVED_NAMES
    for word in RESERVED_NAMES:
        with pytest.raises(ExprError):
            evaluate(f"{word}.Succeeded", {word: {"Succeeded": True}})  # Argo's depends over a task of that name


def test_go_strconv() -> None:
    """gostrconv against Go 1.2x strconv (atoi.go, atof.go) and fmt/encoding/json float output."""
    assert [atoi("+7"), parse_int("0x_1F", 0), parse_int("0_1", 0), parse_int("1_000", 0)] == [7, 31, 1, 1000]
    for bad in ("", "+", " 42", "4_2", "42.0", "9223372036854775808"):
        with pytest.raises(NumError):
            atoi(bad)
    assert parse_int("-9223372036854775808") == -(1 << 63)
    assert [parse_float(s) for s in ("1_23.50_0_0e+1_2", "0x1.8p1", "0X1P-2", "+.5", "1.", "00012", "1e+5_0")] == [
        1.235e14, 3.0, 0.25, 0.5, 1.0, 12.0, 1e50,
    ]  # fmt: skip
    for bad in ("-.e1", "1_e5", "infin", "0b1", "1e", "_1", "1__0"):
        with pytest.raises(NumError):
            parse_float(bad)
    assert [format_float_v(f) for f in (1e6, 1e20, 5e-324, 123456789.125, 999999.0)] == [
        "1e+06", "1e+20", "5e-324", "1.23456789125e+08", "999999",
    ]  # fmt: skip
    assert [format_float_json(f) for f in (1e20, 1e21, 1e-6, 1e-7, -0.0)] == [
        "100000000000000000000", "1e+21", "0.000001", "1e-7", "-0",
    ]  # fmt: skip


def test_public_helpers() -> None:
    assert go_string({"b": [1.0, None], "a": True}) == "map[a:true b:[1 <nil>]]"
    assert to_json({"b": 1.0, "a": [None]}) == '{"a":[null],"b":1}'
    # the tree shape tests/runtime_rules.py walks: member/index paths, call arguments, ?? and closures
    tree = parse("tasks['a-b'].outputs.parameters.x ?? map(xs, {# + 1})")
    assert tree.data == "coalesce"
    assert [t.data for t in tree.iter_subtrees_topdown()][:4] == ["coalesce", "member", "member", "member"]
