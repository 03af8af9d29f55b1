"""``when:`` decided as Argo decides it (mldsl.argo.govaluate): each row is a text as it reaches
shouldExecute (tags already substituted) and what Argo v4.1.2 does with it: run (True), skip (False),
or error the node with a message containing the string given.

Every row cites the line it follows: ``steps.go`` is argo-workflows v4.1.2
workflow/controller/steps.go; the other files are github.com/Knetic/govaluate at 7625b7f (the commit
Argo's go.mod pins). Expected values were checked against that govaluate and a copy of Argo's
shouldExecute, built with Go, except the rows marked "Go 1.26" (Argo's toolchain, whose time and
regexp packages changed since) and "mldsl", which document where mldsl differs on purpose.
"""

from __future__ import annotations

import pytest

from mldsl.argo.govaluate import WhenError, WhenPanicError, should_execute

# (when, True/False or an error substring, the source line the row follows)
ROWS: list[tuple[str, bool | str, str]] = [
    # --- every when: of /work/shared/argo-examples, substituted as Argo would ----------------------
    ("heads == heads", True, "steps.go l. 398-406: VARIABLE -> STRING; evaluationStage.go l. 137-139 DeepEqual"),
    ("tails == heads", False, "steps.go l. 398-406; evaluationStage.go l. 137-139"),
    ("tails == tails", True, "steps.go l. 398-406; evaluationStage.go l. 137-139"),
    ("heads != tails", True, "evaluationStage.go l. 140-142 notEqualStage"),
    ("even == even", True, "{{item.evenness}} == even; steps.go l. 398-406"),
    ("odd == even", False, "{{item.evenness}} == even; steps.go l. 398-406"),
    ("false", False, "skipped-output-defaults when: false; parsing.go l. 156-159 BOOLEAN"),
    ("true", True, "an expr-form {{=...}} substituted; parsing.go l. 150-153 BOOLEAN"),
    ("true == true", True, "{{inputs.parameters.should-print}} == true; parsing.go l. 150-153"),
    ("false == true", False, "{{inputs.parameters.should-print}} == true; evaluationStage.go l. 137-139"),
    ("True == true", False, "'True' is a VARIABLE (parsing.go l. 150 is case-sensitive): a string is not a bool"),
    ("tails =~ tai", True, "parsing.go l. 351-385 compiles the right of =~ once it is a STRING (second pass)"),
    ("heads =~ tai", False, "parsing.go l. 351-385; evaluationStage.go l. 171-187 regexStage"),
    ("heads =~ hea", True, "parsing.go l. 351-385; evaluationStage.go l. 171-187"),
    ("Succeeded == Succeeded", True, "{{workflow.status}}, {{status}}, {{steps.x.status}} == Succeeded"),
    ("Failed != Succeeded", True, "{{workflow.status}} != Succeeded; evaluationStage.go l. 140-142"),
    ("Error == Failed", False, "{{steps.submit-resource.status}} == Failed; evaluationStage.go l. 137-139"),
    ("YES == YES", True, "{{steps.approval.outputs.parameters.approve}} == YES; steps.go l. 398-406"),
    ("3 < 10", True, "{{steps.iterate-counter.outputs.result}} < {{inputs.parameters.limit}}; evaluationStage.go l. 131-136"),
    ("10 < 10", False, "recursive-for-loop at its limit; evaluationStage.go l. 131-136"),
    ("5 != 1 && 5 != 2", True, "fibonacci: {{inputs.parameters.num}} != 1 && ...; stagePlanner.go l. 122-127"),
    ("2 != 1 && 2 != 2", False, "fibonacci at 2; EvaluableExpression.go l. 180-183 && short-circuits on false"),
    (
        "( heads == heads &&\n  tails == tails\n) ||\n( heads == tails &&\n  tails == tails )",
        True,
        "conditionals-complex (YAML >- keeps the more-indented line breaks); parsing.go l. 78 skips any unicode.IsSpace",
    ),
    (
        "( tails == heads &&\n  heads == tails\n) ||\n( tails == tails &&\n  heads == tails )",
        False,
        "conditionals-complex, other flips; stagePlanner.go l. 128-133 || over &&",
    ),
    # --- lexer: parsing.go readToken ---------------------------------------------------------------
    ("1 == 1.0", True, "parsing.go l. 107-115: every number is a float64"),
    ("0x10 == 16", True, "parsing.go l. 87-101: 0x hex, as a float64"),
    ("007 == 7", True, "parsing.go l. 107-108 strconv.ParseFloat"),
    ("1.2.3 == 1.2.3", "Unable to parse numeric value '1.2.3' to float64", "parsing.go l. 107-113 (isNumeric l. 434-437)"),
    ("1e5 == 100000", "Cannot transition token types from NUMERIC [1] to VARIABLE [e5]", "parsing.go l. 434-437: no exponents"),
    ("'a' == \"a\"", True, "parsing.go l. 206-225: either quote opens a string"),
    (
        '"it\'s" == "it\'s"',
        "Cannot transition token types from STRING [it] to VARIABLE [s]",
        "parsing.go l. 439-442: either quote ends it",
    ),
    ("'it\\'s' == 'it\\'s'", True, "parsing.go l. 317-322: a backslash takes the next rune as is"),
    ("'abc", "Invalid 'when' expression ''abc': Unclosed string literal", "parsing.go l. 209-211; steps.go l. 393"),
    ("TRUE", "Expected boolean evaluation for 'TRUE'. Got TRUE", "parsing.go l. 150-161 (lower case only); steps.go l. 416-418"),
    ("hello world == hello world", "from VARIABLE [hello] to VARIABLE [world]", "lexerState.go l. 155-169, l. 336-339"),
    (
        "a-b == a-b",
        "Value 'a' cannot be used with the modifier '-', it is not a number",
        "parsing.go l. 455-461: no '-' in a name",
    ),
    ("a_b == a_b", True, "parsing.go l. 455-461: '_' and digits continue a name"),
    (
        "_foo == _foo",
        "Invalid token: '_' (hint: try wrapping",
        "parsing.go l. 142 (a name starts with a letter), l. 281; steps.go l. 390-392",
    ),
    ("steps.flip == x", "Unable to access unexported field 'flip' in token 'steps.flip'", "parsing.go l. 193-200"),
    ("tails =~ t.*", "Invalid 'when' expression 'tails =~ t.*': Hanging accessor on token 't.'", "parsing.go l. 183-186"),
    ("tails =~ 't.*'", True, "quoted, the pattern survives the lexer; parsing.go l. 372-379"),
    (
        "v1.2.3 == v1.2.3",
        "Failed to evaluate 'when' expresion 'v1.2.3 == v1.2.3': No parameter 'v1' found.",
        "stagePlanner.go l. 322-365; parameters.go l. 27",
    ),
    ("[hello world] == [hello world]", True, "parsing.go l. 127-139: a bracketed variable keeps spaces"),
    ('["a","b"] == ["a","b"]', True, "a JSON list output is a bracketed variable: parsing.go l. 127-139"),
    ("[abc", "Unclosed parameter bracket", "parsing.go l. 132-134"),
    ("{{steps.x.outputs.result}} == heads", "Invalid token: '{{'", "an unresolved tag; parsing.go l. 240-282"),
    (
        "!!true",
        "Invalid token: '!!' (hint: try wrapping the affected expression in quotes",
        "parsing.go l. 240 reads a symbol run; steps.go l. 390-392",
    ),
    ("heads=heads", "Invalid token: '='", "parsing.go l. 281"),
    ("(a == a", "Invalid 'when' expression '(a == a': Unbalanced parenthesis", "parsing.go l. 411-413"),
    ("   ", "Invalid 'when' expression '   ': Unexpected end of expression", "lexerState.go l. 356-358"),
    ("a ==", "Unexpected end of expression", "lexerState.go l. 189-207 COMPARATOR is not EOF, l. 356-358"),
    ("== a", "Cannot transition token types from UNKNOWN [<nil>] to COMPARATOR [==]", "lexerState.go l. 336-339"),
    ("foo(1)", "Invalid 'when' expression 'foo(1)': Undefined function foo", "lexerState.go l. 332-334"),
    (
        "!foo",
        "Failed to parse 'when' expression '!foo': Cannot transition token types from PREFIX [!] to STRING [foo]",
        "lexerState.go l. 228-242; steps.go l. 407-410",
    ),
    # --- planner and evaluator ----------------------------------------------------------------------
    ('"a" == "a" && (3 < 4 || false)', True, "stagePlanner.go l. 387-406 parentheses; l. 122-133"),
    ("1 - 2 - 3 == -4", True, "stagePlanner.go l. 556-643: same-precedence runs are mirrored (left-assoc)"),
    ("2 * 3 + 4 == 10", True, "stagePlanner.go l. 92-103"),
    ("10 / 4 == 2.5", True, "evaluationStage.go l. 104-106"),
    ("7 % 3 == 1", True, "evaluationStage.go l. 110-112 math.Mod"),
    ("2 ** 10 == 1024", True, "evaluationStage.go l. 107-109 math.Pow"),
    ("0.1 + 0.2 == 0.3", False, "evaluationStage.go l. 89-97: float64 sums"),
    ("-1 < 0", True, "parsing.go l. 245-252: '-' after nothing is a prefix"),
    ("!true", False, "parsing.go l. 245-252; evaluationStage.go l. 152-154"),
    ("3 & 5 == 1", True, "evaluationStage.go l. 199-207: through int64"),
    ("1 << 4 == 16", True, "evaluationStage.go l. 208-210: through uint64"),
    ("~0 == -1", True, "evaluationStage.go l. 155-157"),
    ("1/0 > 0", True, "evaluationStage.go l. 104-106: +Inf, no error"),
    (
        "5 > abc",
        "Value '5' cannot be used with the comparator '>', it is not a number",
        "evaluationStage.go l. 488-497; EvaluableExpression.go l. 225-228 names the left value",
    ),
    (
        "abc > 5",
        "Failed to evaluate 'when' expresion 'abc > 5': Value 'abc' cannot be used with the comparator '>'",
        "evaluationStage.go l. 488-497; steps.go l. 412-414",
    ),
    ('"b" > "a"', True, "evaluationStage.go l. 119-124: two strings compare bytewise"),
    ('"10" > "9"', False, "evaluationStage.go l. 119-124: as text, not numbers"),
    ("true == 'true'", False, "evaluationStage.go l. 137-139: DeepEqual of a bool and a string"),
    ("a in (a, b)", True, "evaluationStage.go l. 407-419 separator, l. 421-429 inStage"),
    ("c in (a, b)", False, "evaluationStage.go l. 421-429"),
    (
        "a in a",
        "Value 'a' cannot be used with the comparator 'in', it is not a number",
        "stagePlanner.go l. 487-490: in needs an array",
    ),
    ("true ? true : false", True, "stagePlanner.go l. 134-139; evaluationStage.go l. 158-169"),
    ("1 ? 2 : 3", "Value '1' cannot be used with the ternary operator '?', it is not a bool", "stagePlanner.go l. 533-536"),
    ("true ? 2 : 3", "Expected boolean evaluation for 'true ? 2 : 3'. Got 2", "steps.go l. 415-418: a float64 prints as %v"),
    ("(false ? 1) ?? 5", "Got 5", "EvaluableExpression.go l. 188-191 ??"),
    ("false && 1", False, "EvaluableExpression.go l. 180-183: the right side is never looked at"),
    ("true && 1", "Value '1' cannot be used with the logical operator '&&', it is not a bool", "stagePlanner.go l. 480-486"),
    ("1000000 + 'a'", "Got 1e+06a", 'evaluationStage.go l. 91-94: Sprintf("%v%v") of a float64'),
    ("()", "Expected boolean evaluation for '()'. Got <nil>", "stagePlanner.go l. 408-413 empty parentheses plan nothing"),
    ("(true) false", True, "stagePlanner.go l. 288-289: nothing checks every token was planned"),
    # --- dates: parsing.go l. 217-223, l. 473-504; stagePlanner.go l. 427-429 -----------------------
    ("'2024-01-01' < '2024-02-01'", True, "parsing.go l. 217-223: a quoted date is a TIME, planned as Unix seconds"),
    ("'2024-01-01' == '2024-01-01T00:00:00Z'", True, "parsing.go l. 478-493: two layouts, one instant"),
    ("'2024-01-01T10:00:00+02:00' == '2024-01-01T08:00:00Z'", True, "parsing.go l. 483 RFC3339 offsets"),
    ("'2024-02-30' == '2024-02-30'", True, "no such day: both stay STRINGs (time.parse day out of range)"),
    (
        "'2024-01-01' ? a : b",
        "from TIME [2024-01-01 00:00:00 +0000 UTC] to TERNARY [?]",
        "lexerState.go l. 127-140: no ternary after a TIME",
    ),
    ("'2024-01-01' + 1", "Got 1.704067201e+09", "stagePlanner.go l. 427-429"),
    ("'3:04PM' > 0", False, "parsing.go l. 482 time.Kitchen: year 0, before 1970"),
    (
        "'2024-01-01T10:00:00+25:00' 'x'",
        "from STRING [2024-01-01T10:00:00+25:00]",
        "Go 1.26 time.parse: offset hour > 24 is out of range",
    ),
    # --- regexps: Go's regexp syntax and messages -------------------------------------------------
    (
        "a =~ '('",
        "Invalid 'when' expression 'a =~ '('': error parsing regexp: missing closing ): `(`",
        "parsing.go l. 375-378 (first pass)",
    ),
    (
        "a =~ [(]",
        "Failed to parse 'when' expression 'a =~ [(]': error parsing regexp: missing closing ): `(`",
        "parsing.go l. 375-378 on the second pass; steps.go l. 407-410",
    ),
    (
        "a =~ ('(')",
        "Unable to compile regexp pattern '(': error parsing regexp: missing closing ): `(`",
        "evaluationStage.go l. 176-181",
    ),
    ("a =~ 'a**'", "error parsing regexp: invalid nested repetition operator: `**`", "Go regexp/syntax parse.go repeat"),
    ("'x' =~ '(?i)X'", True, "Go regexp/syntax (?i)"),
    ("'i' =~ '(?i)\u0130'", False, "Go's case folding leaves U+0130 alone (Python's would match)"),
    ("'a\n' =~ 'a$'", False, "Go's $ is the end of the text, not before a final newline"),
    ("'\u00e9' =~ '\\\\w'", False, "Go's \\w is ASCII"),
    ("'b' =~ 'a{,2}b'", False, "Go parse.go parseRepeat: {,2} is literal text"),
    ("'x' =~ '\\\\pL'", "not implemented by mldsl", "mldsl: Go's Unicode classes are not translated (Go: true)"),
]


@pytest.mark.parametrize(("when", "expected", "source"), ROWS, ids=[repr(r[0])[:60] for r in ROWS])
def test_when(when: str, expected: bool | str, source: str) -> None:
    if isinstance(expected, bool):
        assert should_execute(when) is expected, source
    else:
        with pytest.raises(WhenError) as caught:
            should_execute(when)
        assert expected in caught.value.message, source


def test_empty_when_runs() -> None:
    """steps.go l. 385-387: no when, no evaluation."""
    assert should_execute("") is True


def test_a_trailing_backslash_is_a_go_panic() -> None:
    """parsing.go l. 317-319 reads past the text (lexerStream.go l. 28): Go panics, and Argo's
    operate() recovers it and errors the whole workflow (operator.go l. 219-229)."""
    with pytest.raises(WhenPanicError, match=r"index out of range \[2\] with length 2"):
        should_execute("a\\")
