"""Redshift SQL -> DuckDB SQL for the sandbox's warehouse (sql_engine), with sqlglot.

Each statement is parsed in sqlglot's Redshift dialect and written in its DuckDB dialect, with
these changes on the tree:
- table DDL: PRIMARY KEY, UNIQUE and REFERENCES are dropped (Redshift declares them and enforces
  none; DuckDB would enforce them); DISTSTYLE, DISTKEY, SORTKEY, ENCODE and BACKUP are accepted
  and dropped; IDENTITY(seed, step) becomes a sequence and a DEFAULT; VARCHAR(MAX) is VARCHAR;
  a VARCHAR(n) or CHAR(n) column gets a CHECK on its length in bytes (Redshift enforces the
  length; DuckDB does not); DECIMAL without precision is Redshift's DECIMAL(18, 0).
- `:name` placeholders of the Data API's Parameters become string literals (Redshift receives
  text and casts it where it is used).
The result's column names are computed as Redshift names them (`count`, `?column?`, ...).
BEGIN/END/COMMIT/ABORT/ROLLBACK, COPY and the commands Redshift has and DuckDB does not
(VACUUM, GRANT, ...) are recognised here and carried out by the engine.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

READ = "redshift"
WRITE = "duckdb"

# sqlglot warns (logging) about the table properties DuckDB has no equivalent for; they are
# removed before generation, and a warning would only reach the emulator's log.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

BEGIN = re.compile(r"^(BEGIN|START\s+TRANSACTION)(\s+(WORK|TRANSACTION))?(\s+ISOLATION.*)?$", re.I)
COMMIT = re.compile(r"^(COMMIT|END)(\s+(WORK|TRANSACTION))?$", re.I)
ROLLBACK = re.compile(r"^(ROLLBACK|ABORT)(\s+(WORK|TRANSACTION))?$", re.I)
# Commands a Redshift client may send that change nothing the sandbox models.
ACCEPTED_WITHOUT_EFFECT = re.compile(
    r"^(VACUUM|ANALYZE\s+COMPRESSION|GRANT|REVOKE|CREATE\s+(USER|GROUP)|ALTER\s+(USER|GROUP)|"
    r"DROP\s+(USER|GROUP)|ALTER\s+TABLE\s+\S+\s+ALTER\s+(DISTSTYLE|DISTKEY|SORTKEY|ENCODE)|"
    r"SET\s+(SEARCH_PATH|QUERY_GROUP|STATEMENT_TIMEOUT|ANALYZE_COMPRESSION)|RESET\s)",
    re.I | re.S,
)
# Redshift's table and column attributes, removed before parsing: sqlglot's Redshift parser does
# not read all of them (INTERLEAVED SORTKEY, SORTKEY AUTO, column DISTKEY/SORTKEY, BACKUP).
TABLE_ATTRIBUTES = [
    re.compile(r"\b(COMPOUND\s+|INTERLEAVED\s+)?SORTKEY\s*(\([^)]*\)|AUTO\b)?", re.I),
    re.compile(r"\bDISTKEY\s*(\([^)]*\))?", re.I),
    re.compile(r"\bDISTSTYLE\s+(AUTO|EVEN|KEY|ALL)\b", re.I),
    re.compile(r"\bBACKUP\s+(YES|NO)\b", re.I),
    re.compile(r"\)\s*ENCODE\s+AUTO\b", re.I),
]
COPY = re.compile(
    r"^COPY\s+(?P<table>[\w.\"]+)\s*(\((?P<columns>[^)]*)\))?\s+FROM\s+'(?P<source>[^']*)'"
    r"(?P<options>.*)$",
    re.I | re.S,
)
# COPY options: flags, and options with a value (after an optional AS).
COPY_FLAGS = {
    "CSV",
    "PARQUET",
    "JSON",
    "ORC",
    "AVRO",
    "EMPTYASNULL",
    "BLANKSASNULL",
    "ACCEPTANYDATE",
    "TRUNCATECOLUMNS",
    "FILLRECORD",
    "EXPLICIT_IDS",
    "SERIALIZETOJSON",
    "REMOVEQUOTES",
    "ESCAPE",
    "IGNOREBLANKLINES",
    "MANIFEST",
    "ENCRYPTED",
    "GZIP",
    "BZIP2",
    "LZOP",
    "ZSTD",
    "NOLOAD",
    "ROUNDEC",
    "TRIMBLANKS",
}
COPY_VALUES = {
    "IAM_ROLE",
    "CREDENTIALS",
    "ACCESS_KEY_ID",
    "SECRET_ACCESS_KEY",
    "SESSION_TOKEN",
    "FORMAT",
    "DELIMITER",
    "IGNOREHEADER",
    "MAXERROR",
    "REGION",
    "DATEFORMAT",
    "TIMEFORMAT",
    "NULL",
    "QUOTE",
    "COMPUPDATE",
    "STATUPDATE",
    "ACCEPTINVCHARS",
    "FIXEDWIDTH",
    "ENCODING",
}
COPY_TOKEN = re.compile(r"'(?:[^']|'')*'|[^\s']+")
TABLE_DDL = re.compile(r"^CREATE\s+(TEMP\w*\s+|LOCAL\s+TEMP\w*\s+)?TABLE\b", re.I)
DROPPED_CONSTRAINTS = (
    exp.PrimaryKeyColumnConstraint,
    exp.UniqueColumnConstraint,
    exp.Reference,
    exp.EncodeColumnConstraint,
)
LENGTH_CHECKED = {exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR, exp.DataType.Type.NCHAR}
# Redshift's name for an unaliased CAST to these types (PostgreSQL's FigureColname).
TYPE_NAMES = {
    "INT": "int4",
    "INTEGER": "int4",
    "BIGINT": "int8",
    "SMALLINT": "int2",
    "DOUBLE": "float8",
    "FLOAT": "float4",
    "DECIMAL": "numeric",
    "BOOLEAN": "bool",
    "VARCHAR": "varchar",
    "TEXT": "varchar",
    "CHAR": "bpchar",
}


# Redshift's column name for functions sqlglot parses into a node of another name.
SQLGLOT_NAMES = {"decode_case": "decode", "approx_distinct": "count"}


class TranslationError(Exception):
    """The statement cannot be run; the message is what the server says."""


@dataclass(frozen=True)
class Copy:
    """COPY table [(columns)] FROM 's3://...' with its options (upper-case names)."""

    table: str
    columns: list[str]
    source: str
    options: dict[str, str]
    credentials: str | None


@dataclass
class Statement:
    """One statement of a request, ready for the engine."""

    text: str  # as the client sent it (STL_QUERY.querytxt)
    kind: str  # "sql", "transaction", "copy" or "accepted"
    duckdb: list[str] = field(default_factory=list)  # "sql": statements to run, in order
    result_names: list[str] | None = None  # "sql": column names as Redshift gives them
    returns_rows: bool = False  # "sql": a query (else DML/DDL with a row count)
    transaction: str = ""  # "transaction": BEGIN, COMMIT or ROLLBACK
    copy: Copy | None = None


def split_statements(sql: str) -> list[str]:
    """The statements of `sql`, split on the semicolons that end one (not those in quotes or
    comments), each with its own leading comments; parts holding only comments are dropped."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(READ).tokenize(sql)
    except TokenError as error:
        raise TranslationError(f"ERROR: syntax error: {first_line(str(error))}") from error
    statements, start = [], 0
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            statements.append(sql[start : token.start])
            start = token.end + 1
    statements.append(sql[start:])
    return [s.strip() for s in statements if has_code(s)]


def has_code(sql: str) -> bool:
    return bool(strip_leading_comments(sql).strip(" \t\r\n;"))


def strip_leading_comments(statement: str) -> str:
    return re.sub(r"^(\s*(--[^\n]*(\n|$)|/\*.*?\*/))*", "", statement, flags=re.S).strip()


def translate(text: str, parameters: dict[str, str] | None = None) -> Statement:
    """One statement of Redshift SQL, classified and (for "sql") written for DuckDB."""
    code = strip_leading_comments(text)
    for name, pattern in (("BEGIN", BEGIN), ("COMMIT", COMMIT), ("ROLLBACK", ROLLBACK)):
        if pattern.match(code):
            return Statement(text, "transaction", transaction=name)
    if ACCEPTED_WITHOUT_EFFECT.match(code):
        return Statement(text, "accepted")
    if found := COPY.match(code):
        return Statement(text, "copy", copy=copy_of(found))
    if TABLE_DDL.match(code):
        for attribute in TABLE_ATTRIBUTES:
            code = attribute.sub(lambda m: ")" if m[0].startswith(")") else "", code)
    try:
        tree = sqlglot.parse_one(code, read=READ)
    except ParseError:
        # DuckDB's own parser names the offending token ("syntax error at or near ...").
        return Statement(text, "sql", duckdb=[code], returns_rows=True)
    if isinstance(tree, exp.Command):
        raise TranslationError(
            f"ERROR: this {tree.name.upper()} statement is not supported by the sandbox's"
            " warehouse (its SQL translator cannot read it)"
        )
    tree = substitute(tree, parameters or {})
    prelude = rewrite_table_ddl(tree) if isinstance(tree, exp.Create) else []
    for data_type in tree.find_all(exp.DataType):
        normalise_type(data_type)
    query = tree if isinstance(tree, exp.Query) else None
    return Statement(
        text,
        "sql",
        duckdb=[*prelude, tree.sql(dialect=WRITE)],
        result_names=result_names(query, code) if query is not None else None,
        returns_rows=query is not None or bool(tree.args.get("returning")),
    )


def substitute(tree: exp.Expression, parameters: dict[str, str]) -> exp.Expression:
    def literal(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and node.name:
            if node.name not in parameters:
                raise TranslationError(f"ERROR: no value for parameter :{node.name}")
            return exp.Literal.string(parameters[node.name])
        return node

    return tree.transform(literal)


def rewrite_table_ddl(tree: exp.Create) -> list[str]:
    """Drop the keys Redshift declares but does not enforce; returns the statements to run
    first (the sequences of IDENTITY columns)."""
    schema = tree.this
    if not isinstance(schema, exp.Schema):
        return []
    table = schema.this
    prelude = []
    for item in list(schema.expressions):
        if isinstance(item, exp.PrimaryKey | exp.UniqueColumnConstraint | exp.ForeignKey):
            item.pop()
        elif isinstance(item, exp.ColumnDef):
            prelude += rewrite_column(table, item)
    return prelude


def rewrite_column(table: exp.Table, column: exp.ColumnDef) -> list[str]:
    prelude = []
    for constraint in list(column.constraints):
        kind = constraint.args.get("kind")
        if isinstance(kind, DROPPED_CONSTRAINTS):
            constraint.pop()
        elif isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
            sequence = f"{table.name}_{column.name}_seq".lower()
            if table.db:
                sequence = f"{table.db}.{sequence}"
            start = kind.args.get("start") or exp.Literal.number(1)
            step = kind.args.get("increment") or exp.Literal.number(1)
            prelude.append(
                f"CREATE SEQUENCE IF NOT EXISTS {sequence}"
                f" START {start.sql()} INCREMENT {step.sql()}"
            )
            constraint.set(
                "kind",
                exp.DefaultColumnConstraint(this=sqlglot.parse_one(f"nextval('{sequence}')")),
            )
    data_type = column.args.get("kind")
    length = declared_length(data_type)
    if length is not None:
        check = f"strlen({exp.to_identifier(column.name).sql(dialect=WRITE)}) <= {length}"
        column.append(
            "constraints",
            exp.ColumnConstraint(
                kind=exp.CheckColumnConstraint(this=sqlglot.parse_one(check, read=WRITE))
            ),
        )
    return prelude


def declared_length(data_type: exp.Expression | None) -> int | None:
    if not isinstance(data_type, exp.DataType) or data_type.this not in LENGTH_CHECKED:
        return None
    params = data_type.expressions
    if not params or not isinstance(params[0].this, exp.Literal):
        return None
    return int(params[0].this.name)


def normalise_type(data_type: exp.DataType) -> None:
    params = data_type.expressions
    if params and isinstance(params[0].this, exp.Var) and params[0].this.name.upper() == "MAX":
        data_type.set("expressions", [])
    elif data_type.this == exp.DataType.Type.DECIMAL and not params:
        data_type.set(
            "expressions",
            [
                exp.DataTypeParam(this=exp.Literal.number(18)),
                exp.DataTypeParam(this=exp.Literal.number(0)),
            ],
        )


def copy_of(found: re.Match) -> Copy:
    columns = [c.strip().strip('"').lower() for c in (found["columns"] or "").split(",")]
    options = copy_options(found["options"])
    credentials = options.pop("IAM_ROLE", None) or options.pop("CREDENTIALS", None)
    return Copy(
        table=found["table"].lower(),
        columns=[c for c in columns if c],
        source=found["source"],
        options=options,
        credentials=credentials,
    )


def copy_options(text: str) -> dict[str, str]:
    """COPY's options, upper-case names to values ("" for a flag); FORMAT AS CSV and CSV alike
    give FORMAT=CSV."""
    tokens = COPY_TOKEN.findall(text.strip().rstrip(";"))
    options: dict[str, str] = {}
    position = 0
    while position < len(tokens):
        name = tokens[position].upper()
        position += 1
        if name in COPY_FLAGS:
            if name in ("CSV", "PARQUET", "JSON", "ORC", "AVRO"):
                options["FORMAT"] = name
            else:
                options[name] = ""
            continue
        if name not in COPY_VALUES:
            raise TranslationError(
                f"ERROR: COPY parameter {name[:40]} is not supported by the sandbox"
            )
        if position < len(tokens) and tokens[position].upper() == "AS":
            position += 1
        if position >= len(tokens):
            raise TranslationError(
                f"ERROR: syntax error at end of input (COPY {name} needs a value)"
            )
        value = tokens[position]
        position += 1
        if value.startswith("'"):
            value = value[1:-1].replace("''", "'")
        options[name] = value.upper() if name == "FORMAT" else value
    return options


# --- result column names --------------------------------------------------------------------


def result_names(query: exp.Query, code: str) -> list[str] | None:
    """Names Redshift gives the columns of `query` (parsed from `code`), or None when it
    selects `*`."""
    while isinstance(query, exp.SetOperation):
        query = query.this
    if isinstance(query, exp.Subquery):
        query = query.unnest()
    if not isinstance(query, exp.Select):
        return None
    names = []
    for projection in query.expressions:
        if isinstance(projection, exp.Star) or (
            isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
        ):
            return None
        names.append(column_name(projection, code))
    return names


def column_name(node: exp.Expression, code: str) -> str:
    if isinstance(node, exp.Alias):
        return node.alias.lower()
    if isinstance(node, exp.Column):
        return node.name.lower()
    if isinstance(node, exp.Paren):
        return column_name(node.this, code)
    if isinstance(node, exp.Cast):
        inner = column_name(node.this, code)
        if inner != "?column?":
            return inner
        return TYPE_NAMES.get(node.to.this.value, node.to.this.value.lower())
    if isinstance(node, exp.Window | exp.WithinGroup):
        return column_name(node.this, code)
    if isinstance(node, exp.Case):
        return "case"
    if isinstance(node, exp.Boolean):
        return "bool"
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    if isinstance(node, exp.Trim):
        return "btrim"
    if isinstance(node, exp.Func):
        # The function's name as written (sqlglot keeps where its token was), else sqlglot's.
        start, end = node.meta.get("start"), node.meta.get("end")
        written = code[start : end + 1] if start is not None and end is not None else ""
        if written.isidentifier():
            return written.lower()
        return SQLGLOT_NAMES.get(node.sql_name().lower(), node.sql_name().lower())
    return "?column?"


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
