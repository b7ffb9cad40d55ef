"""A corpus of hostile expression strings for the safe parser.

Every string here must be refused by ``sg.parse`` with ``sg.ParseError``.
Strings that would run code if a guard let them through (through ``eval``,
``sympify``, ``parse_expr``, ``numexpr.evaluate``, ``pandas.eval``, a format
string, ...) try to create the file ``CANARY``; the tests replace that word by
a path in a fresh temporary directory and assert the file never appears.

The payloads are only ever handed to the toolkit's entry points; nothing in
the test suite evaluates them.
"""

from __future__ import annotations

CANARY = "CANARY"

# ----- Payloads that run code: each tries to create the canary file ------------
# Written with double quotes inside, so a wrapper can put them in single quotes.
CODE_PAYLOADS = [
    '__import__("os").system("touch CANARY")',
    '__import__("pathlib").Path("CANARY").touch()',
    'open("CANARY", "w").write("pwned")',
    'exec("open(chr(67)+\\"ANARY\\", \\"w\\")")',
    'eval(compile("open(\\"CANARY\\", \\"w\\")", "<s>", "eval"))',
    'getattr(__builtins__, "open")("CANARY", "w")',
    'globals()["__builtins__"].open("CANARY", "w")',
    '(lambda: open("CANARY", "w"))()',
    '[open("CANARY", "w") for _ in (1,)]',
    '(f := open("CANARY", "w"))',
    'f"{open(\\"CANARY\\", \\"w\\")}"',
    (
        '().__class__.__base__.__subclasses__()[0].__init__.__globals__["sys"]'
        '.modules["os"].system("touch CANARY")'
    ),
    (
        "[c for c in ().__class__.__mro__[1].__subclasses__() if c.__name__ == "
        '"catch_warnings"][0]()._module.__builtins__["open"]("CANARY", "w")'
    ),
    'sin.__globals__["__builtins__"]["open"]("CANARY", "w")',
    'x.__init__.__globals__["os"].system("touch CANARY")',
    '__builtins__.__dict__["__import__"]("os").system("touch CANARY")',
    'type(lambda: 0)((lambda: open("CANARY", "w")).__code__, {})()',
    'vars(__builtins__)["exec"]("open(\\"CANARY\\", \\"w\\")")',
]

# ----- Functions of other libraries that re-parse (or evaluate) a string argument.
# Each wraps every code payload: SymPy's sympify/S/parse_expr evaluate their
# argument; Symbol/Function/symbols/var names have been re-parsed by printers
# and by lambdify; numexpr.evaluate and pandas.eval/query evaluated strings.
REPARSE_WRAPPERS = [
    "sympify('{p}')",
    "S('{p}')",
    "Symbol('{p}')",
    "Function('{p}')(x)",
    "parse_expr('{p}')",
    "symbols('{p}')",
    "numexpr.evaluate('{p}')",
    "pd.eval('{p}')",
    "df.query('@{p}')",
    "x + sin(S('{p}'))",
    "max(x, sympify('{p}'))",
    "'{{0}}'.format({p})",
]

# ----- Known escapes and guard bypasses, written out --------------------------
KNOWN_ESCAPES = [
    # SymPy: sympify/parse_expr call eval on the transformed text
    "sympify(\"__import__('os').system('touch CANARY')\")",
    "parse_expr(\"__import__('os').system('touch CANARY')\", evaluate=False)",
    "S(\"x\").func(\"__import__('os').system('touch CANARY')\")",
    "Symbol(\"x\").subs(x, S(\"__import__('os').system('touch CANARY')\"))",
    "lambdify(x, \"__import__('os').system('touch CANARY')\")(1)",
    "Integer(\"__import__('os').system('touch CANARY')\")",
    "Rational(\"__import__('os').system('touch CANARY')\")",
    "Matrix(\"__import__('os').system('touch CANARY')\")",
    "nsimplify(\"__import__('os').system('touch CANARY')\")",
    "N(\"__import__('os').system('touch CANARY')\")",
    "sin(x).subs(x, \"__import__('os').system('touch CANARY')\")",
    "x.evalf(subs={x: \"__import__('os').system('touch CANARY')\"})",
    # numexpr (CVE-2023-39631 style) and pandas.eval / DataFrame.query
    "numexpr.evaluate(\"(lambda: __import__('os').system('touch CANARY'))()\")",
    "pd.eval(\"__import__('os').system('touch CANARY')\", engine='python')",
    "df.query(\"@pd.io.common.os.system('touch CANARY')\")",
    'df.query(\'@__builtins__.open("CANARY", "w")\')',
    "@__import__('os').system('touch CANARY')",
    "pd.io.common.os.system('touch CANARY')",
    # format-string attribute walks
    "'{0.__class__}'.format(x)",
    "'{0.__init__.__globals__}'.format(x)",
    "'{0.__class__.__init__.__globals__[os]}'.format(x)",
    "'{x.__init__.__globals__[__builtins__][open]}'.format(x=x)",
    "{x.__class__.__mro__[1].__subclasses__}",
    "{{''.__class__.__mro__[1].__subclasses__()}}",
    "${__import__('os').system('touch CANARY')}",
    "%(x)s.__class__",
    # Unicode look-alikes that Python normalises to ASCII names (NFKC)
    '\uff45\uff56\uff41\uff4c(\'open("CANARY", "w")\')',
    "\U0001d626\U0001d637\U0001d622\U0001d62d('1')",
    '\u212fxec(\'open("CANARY", "w")\')',
    "\uff3f\uff3fimport\uff3f\uff3f('os')",
    "x\u2024__class__",
    "x\u00b7y",
    "sin\uff08x\uff09",
    "x\u200b+y",
    "x\u00a0+\u00a0y",
    "\u0430 + x",
    # hidden statements, comments and line tricks
    "x\nimport os",
    "x; import os",
    "x; __import__('os').system('touch CANARY')",
    "x # __import__('os')",
    "x \\\n + y",
    "x\r\n__import__('os')",
    "x\x00__import__('os')",
    "x\x0b+ y",
    "x\x0c+ y",
    "x\u2028__import__('os')",
    "x\ty;z",
]

# ----- Syntax the grammar refuses, one construct per line -----------------------
REFUSED_SYNTAX = [
    # dunders, attributes, leading underscores
    "__import__",
    "__import__('os')",
    "__builtins__",
    "__class__",
    "_x",
    "__x",
    "_",
    "_ + x",
    "x + _y",
    "x._y",
    "x.__class__",
    "x.__class__.__base__",
    "x.__class__.__mro__[1]",
    "x.real",
    "x.func",
    "x.args",
    "sin.__name__",
    "sin.__globals__",
    "pi.evalf()",
    "E.func",
    "x.subs(x, 1)",
    "1 .real",
    "1..__class__",
    "(1).__class__",
    "(x).__class__",
    "sin(x).__class__",
    "().__class__",
    "[].__class__",
    "{}.__class__",
    "''.__class__",
    "getattr(x, '__class__')",
    "getattr(x, chr(95))",
    "setattr(x, 'y', 1)",
    "delattr(x, 'y')",
    "type(x)",
    "vars()",
    "dir()",
    "globals()",
    "locals()",
    "open(x)",
    "eval(x)",
    "exec(x)",
    "compile(x)",
    "input()",
    "help(x)",
    "breakpoint()",
    "print(x)",
    "chr(95)",
    "ord(x)",
    "object(x)",
    "sympify(x)",
    "S(x)",
    "Symbol(x)",
    "Function(x)",
    # string literals
    "'x'",
    '"x"',
    "'''x'''",
    "b'x'",
    "r'x'",
    "u'x'",
    "f'x'",
    "sin('x')",
    "x + 'y'",
    "max(x, '1')",
    # f-strings
    "f'{x}'",
    "f'{x.__class__}'",
    "f\"{__import__('os')}\"",
    "rf'{x}'",
    "f'{x!r}'",
    "f'{x:>{y}}'",
    # lambdas, comprehensions, walrus, starred, keyword arguments
    "lambda: x",
    "lambda x: x",
    "(lambda: 0)()",
    "[x for x in y]",
    "(x for x in y)",
    "{x for x in y}",
    "{x: y for x in y}",
    "sum(x for x in y)",
    "x := 1",
    "(x := 1)",
    "sin(x := 1)",
    "*x",
    "**x",
    "sin(*x)",
    "max(*[x, y])",
    "sin(**x)",
    "max(x, *y)",
    "sin(x=1)",
    "max(x, key=abs)",
    "leaky_relu(x, negative_slope=0.1)",
    "elu(x, alpha=2)",
    # keywords and statements
    "not x",
    "x and y",
    "x or y",
    "x if y else z",
    "x is y",
    "x in y",
    "import os",
    "from os import system",
    "del x",
    "global x",
    "assert x",
    "raise x",
    "return x",
    "yield x",
    "await x",
    "async",
    "pass",
    "None",
    "True",
    "False",
    "lambda",
    "match",
    "case",
    "x = 1",
    "x += 1",
    # operators outside the grammar
    "x == y",
    "x != y",
    "x < y",
    "x >= y",
    "x @ y",
    "x % y",
    "x // y",
    "x & y",
    "x | y",
    "x ^^ y",
    "~x",
    "x << 1",
    "x >> 1",
    "!x",
    "x?",
    "$x",
    "`x`",
    # containers, subscripts, slices, ellipsis
    "[x]",
    "(x, y)",
    "x, y",
    "{x}",
    "{'a': x}",
    "x[0]",
    "x[::-1]",
    "x[1:2]",
    "sin(x)[0]",
    "...",
    "x + ...",
    # numbers Python would read and the grammar does not
    "0x10",
    "0o17",
    "0b101",
    "1_000",
    "1j",
    "1e",
    "1.2.3",
    "1x",
    "2sin(x)",
    # malformed and empty
    "",
    "   ",
    "\t",
    "(",
    ")",
    "(x",
    "x)",
    "()",
    "sin()",
    "sin",
    "sin x",
    "x y",
    "x +",
    "+",
    "x ** ",
    "max(x)",
    "sin(x, y)",
    "sin(x,)",
    "max(x,,y)",
    "unknownfunc(x)",
    ",",
    "x,",
]


def _wrapped() -> list[str]:
    return [w.format(p=p) for w in REPARSE_WRAPPERS for p in CODE_PAYLOADS]


def corpus() -> list[str]:
    """Every hostile string, in a fixed order, without duplicates."""
    seen, out = set(), []
    for s in CODE_PAYLOADS + _wrapped() + KNOWN_ESCAPES + REFUSED_SYNTAX:
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def code_running() -> list[str]:
    """The strings that would try to create the canary file if executed."""
    return [s for s in corpus() if CANARY in s]


def with_canary(text: str, path: str) -> str:
    """``text`` with its canary placeholder replaced by ``path``."""
    return text.replace(CANARY, path)
