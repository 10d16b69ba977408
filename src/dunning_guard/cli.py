"""The ``dunning-guard`` command: classify, train and evaluate from the shell.

Exit status: 0 on success, 2 with one line on stderr for bad input (a missing,
unreadable or malformed file, a wrong column or encoding, an unwritable output),
130 when interrupted. ``classify`` imports neither scikit-learn nor pandas.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

from ._version import __version__
from ._vocab import MAX_CHARS

__all__ = ["main"]

logger = logging.getLogger("dunning_guard")

#: Rows are classified in chunks of at most this many rows...
CHUNK_ROWS = 5_000
#: ...and at most this many characters of row fields, so memory stays flat
#: however long the fields are.
CHUNK_CHARS = 8_000_000
#: The prefix of the columns `classify --input` adds.
PREFIX = "dg_"


def _load_model(
    path: str | None, point: str | None = None, trusted: str | None = None
) -> Any:
    from ._persist import load

    return load(path, operating_point=_operating_point(point), trusted_senders=trusted)


def _operating_point(value: str | None) -> str | dict[str, float] | None:
    """``inbox`` (a name) or ``scam=0.02,debt=0.1`` (shares) from the command line."""
    if value is None or "=" not in value:
        return value
    shares: dict[str, float] = {}
    for part in value.split(","):
        key, _, number = part.partition("=")
        try:
            shares[key.strip()] = float(number)
        except ValueError:
            raise ValueError(
                f"Expected --operating-point NAME or scam=S,debt=D, got {value!r}."
            ) from None
    return shares


def _cell(value: Any) -> str:
    # Full precision: repr of a float round-trips.
    return repr(value) if isinstance(value, float) else str(value)


def _chunks(rows: Iterator[Any], size: Callable[[Any], int]) -> Iterator[list[Any]]:
    """`rows` in lists of at most CHUNK_ROWS rows and CHUNK_CHARS characters."""
    chunk: list[Any] = []
    chars = 0
    for row in rows:
        chunk.append(row)
        chars += size(row)
        if len(chunk) >= CHUNK_ROWS or chars >= CHUNK_CHARS:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def _count_rows(path: str, encoding: str) -> int | None:
    from ._files import csv_rows

    try:
        return max(0, sum(1 for _ in csv_rows(path, encoding)) - 1)
    except ValueError:
        return None  # the real pass reports the problem with its line number


class _Writer:
    """Writes records as CSV rows (the schema's table columns) or JSON lines."""

    def __init__(self, out: IO[str], json_lines: bool, classes: list[str]):
        from ._schema import table_columns

        self.out, self.json, self.classes = out, json_lines, classes
        self.csv = csv.writer(out)
        self.columns = table_columns(classes, aliases=True)

    def header(self, before: list[str] | None = None, prefix: str = "") -> None:
        if not self.json:
            names = [prefix + c for c in self.columns if c != "text"]
            self.csv.writerow((before or ["text"]) + names)

    def rows(self, predictions: Any, before: list[list[str]] | None = None) -> None:
        from ._schema import record, table_cells

        if self.json:
            for k, p in enumerate(predictions):
                item = record(p)
                if before is not None:
                    item = {"input": dict(zip(self.input, before[k]))} | item
                self.out.write(json.dumps(item, ensure_ascii=False) + "\n")
            return
        for k, p in enumerate(predictions):
            cells = [_cell(c) for c in table_cells(p, self.classes, aliases=True)]
            head = before[k] if before is not None else cells[:1]
            self.csv.writerow(head + cells[1:])

    input: list[str] = []


def _column(header: list[str], name: str, option: str, path: str) -> int:
    if name not in header:
        raise ValueError(
            f"Expected a column {name!r} in {path}, found {header}; pass {option} NAME."
        )
    return header.index(name)


def _classify_file(model: Any, args: argparse.Namespace, out: IO[str]) -> int:
    """Stream a CSV through the model in chunks, so memory stays flat."""
    from ._files import csv_rows, stderr_is_terminal
    from ._progress import progress

    rows = csv_rows(args.input, args.encoding)
    header = next(rows, None)
    if header is None:
        raise ValueError(f"{args.input} is empty; expected a header row.")
    text_at = _column(header, args.column or "text", "--column", args.input)
    sender_at = (
        _column(header, args.sender_column, "--sender-column", args.input)
        if args.sender_column
        else None
    )
    classes = [str(c) for c in model.classes_]
    writer = _Writer(out, args.json, classes)
    writer.input = header
    clash = sorted(set(header) & {args.prefix + c for c in writer.columns})
    if clash and not args.json:
        raise ValueError(
            f"{args.input} already has the column {clash[0]!r} that classify adds; "
            "rename it, or pass --prefix to name the new columns otherwise."
        )
    writer.header(header, args.prefix)
    show = not args.quiet and stderr_is_terminal()
    total = _count_rows(args.input, args.encoding) if show else None
    done = 0
    review = _Review(args.review)
    stream = progress(rows, total=total, desc="classify", unit="msg", enable=show)
    try:
        for chunk in _chunks(stream, lambda r: sum(map(len, r))):
            senders = (
                [r[sender_at] or None for r in chunk]
                if sender_at is not None
                else [args.sender] * len(chunk)
            )
            batch = model.classify_many([r[text_at] for r in chunk], senders=senders)
            if review.k is None:
                writer.rows(batch, chunk)
            else:
                review.add(batch, chunk)
            done += len(chunk)
    finally:
        stream.close()
    if review.k is not None:
        kept = review.least_certain()
        writer.rows([p for p, _ in kept], [row for _, row in kept])
    return done


class _Review:
    """The `k` least certain verdicts seen so far (smallest margin), in memory
    bounded by `k` however long the input."""

    def __init__(self, k: int | None):
        self.k, self.seen = k, 0
        self.heap: list[tuple[float, int, Any, Any]] = []

    def add(self, batch: Any, rows: Sequence[Any]) -> None:
        import heapq

        assert self.k is not None
        for p, row in zip(batch, rows):
            # Largest margin at the top of a max-heap (negated): it leaves first.
            item = (-p.margin, -self.seen, p, row)
            self.seen += 1
            if len(self.heap) < self.k:
                heapq.heappush(self.heap, item)
            elif self.k and item > self.heap[0]:
                heapq.heapreplace(self.heap, item)

    def least_certain(self) -> list[tuple[Any, Any]]:
        ordered = sorted(self.heap, key=lambda x: (-x[0], -x[1]))
        return [(p, row) for _, _, p, row in ordered]


def _stdin_chunks(encoding: str) -> Iterator[list[str]]:
    """Non-empty lines of standard input, in chunks that end where the input
    pauses: a pipe is read in large chunks, a person typing gets each answer at
    once, and memory stays flat however long the input runs."""
    if sys.stdin is None or sys.stdin.closed:
        raise ValueError(
            "Standard input is closed; give messages as arguments or --input FILE."
        )
    try:
        fd = sys.stdin.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        fd = None
    if fd is None:  # not a file (a test's StringIO): lines as they come
        yield from _chunks((x.rstrip("\r\n") for x in sys.stdin if x.strip()), len)
        return
    import select

    from ._files import MAX_FIELD_CHARS  # a line is held to a CSV field's limit

    pending, chars, number = b"", 0, 0
    lines: list[str] = []
    limit = 4 * MAX_FIELD_CHARS
    while True:
        if lines and not select.select([fd], [], [], 0)[0]:
            yield lines  # the input paused: answer what came
            lines, chars = [], 0
        data = os.read(fd, 1 << 16)
        if not data:
            break
        *complete, pending = (pending + data).split(b"\n")
        if len(pending) > limit:
            raise ValueError(
                f"standard input, line {number + len(complete) + 1}: longer than "
                f"{MAX_FIELD_CHARS:,} characters; a message is scored on its first "
                f"{MAX_CHARS:,}."
            )
        for raw in complete:
            number += 1
            text = _decode_line(raw, encoding, number)
            if text.strip():
                lines.append(text)
                chars += len(text)
        if len(lines) >= CHUNK_ROWS or chars >= CHUNK_CHARS:
            yield lines
            lines, chars = [], 0
    if pending.strip():
        lines.append(_decode_line(pending, encoding, number + 1))
    if lines:
        yield lines


def _decode_line(raw: bytes, encoding: str, number: int) -> str:
    try:
        return raw.decode(encoding).rstrip("\r")
    except UnicodeDecodeError:
        raise ValueError(
            f"standard input, line {number}: not {encoding} text; pass the "
            "input's encoding, e.g. --encoding gbk or big5."
        ) from None
    except LookupError:
        raise ValueError(f"Unknown encoding {encoding!r}.") from None


@contextlib.contextmanager
def _output(path: str | None, encoding: str) -> Iterator[IO[str]]:
    if path is None or path == "-":
        if sys.stdout is None or sys.stdout.closed:
            raise ValueError("Standard output is closed; pass --output FILE.")
        if encoding != "utf-8" and isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(encoding=encoding)
        yield sys.stdout
        return
    from ._files import atomic_write

    with atomic_write(path, "w", encoding=encoding, newline="") as f:
        yield f


def _check_classify_options(args: argparse.Namespace) -> None:
    """Every option works in every mode, or is refused here in one line."""
    if args.review is not None and args.review < 1:
        raise ValueError(f"Expected --review K with K >= 1, got {args.review}.")
    if args.input and args.text:
        raise ValueError("Give messages as arguments or --input FILE, not both.")
    if not args.input:
        for option, value in (
            ("--column", args.column),
            ("--sender-column", args.sender_column),
            ("--prefix", args.prefix if args.prefix != PREFIX else None),
        ):
            if value is not None:
                raise ValueError(
                    f"{option} names a column of --input FILE; give --input."
                )
    if args.sender and args.sender_column:
        raise ValueError(
            "Give one sender for every message (--sender) or a column of senders "
            "(--sender-column), not both."
        )


def _cmd_classify(args: argparse.Namespace) -> int:
    _check_classify_options(args)
    if args.output not in (None, "-"):
        from ._files import check_writable

        check_writable(args.output)
    model = _load_model(args.model, args.operating_point, args.trusted_senders)
    with _output(args.output, args.output_encoding) as out:
        if args.input:
            done = _classify_file(model, args, out)
            logger.info("classified %d rows from %s", done, args.input)
            return 0
        chunks = (
            _chunks(iter(args.text), len)
            if args.text
            else _stdin_chunks(
                "utf-8-sig" if args.encoding == "utf-8" else args.encoding
            )
        )
        writer = _Writer(out, args.json, [str(c) for c in model.classes_])
        review = _Review(args.review)
        done = 0
        for chunk in chunks:
            if not done:
                writer.header()
            batch = model.classify_many(chunk, senders=[args.sender] * len(chunk))
            if review.k is None:
                writer.rows(batch)
                out.flush()  # results flow as they come, line by line of the input
            else:
                review.add(batch, [None] * len(batch))
            done += len(chunk)
        if review.k is not None:
            writer.rows([p for p, _ in review.least_certain()])
    if not done:
        raise ValueError(
            "Give messages as arguments, on standard input, or --input FILE."
        )
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from ._files import check_writable

    check_writable(args.output)  # before the work, not after it
    from ._api import train
    from ._progress import Stages

    with Stages(["fit", "save"], desc="train", enable=not args.quiet) as stage:
        model = train(
            args.data,
            text_col=args.text_column,
            label_col=args.label_column,
            encoding=args.encoding,
            base=args.base,
            weight=args.weight,
        )
        stage("fit")
        model.save(args.output)
        stage("save")
    print(
        f"trained on {args.data}, classes {', '.join(map(str, model.classes_))}; "
        f"saved {args.output}"
    )
    return 0


def _training_overlap(model_path: str | None, texts: Sequence[str]) -> float:
    if model_path is not None:
        return 0.0
    from ._data import bundled_corpus

    known = set(bundled_corpus(augmented=True)["text"])
    return sum(t in known for t in texts) / max(1, len(texts))


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from ._data import read_labeled
    from ._evaluate import evaluate

    data = read_labeled(
        args.data,
        text_col=args.text_column,
        label_col=args.label_column,
        training=False,
        encoding=args.encoding,
    )
    overlap = _training_overlap(args.model, data["text"].tolist())
    if overlap > 0.05:
        print(
            f"warning: {overlap:.0%} of these rows are the bundled model's training "
            "data; the figures say how well it learned them, not how well it "
            "generalizes. Evaluate on held-out rows (or dg.cross_validate).",
            file=sys.stderr,
        )
    report = evaluate(_load_model(args.model), data)
    print(report)
    if args.errors:
        errors = report.errors.head(args.errors)
        print(
            f"\n{len(report.errors)} misclassified; the {len(errors)} most confident:"
        )
        for _, row in errors.iterrows():
            print(
                f"{row['label']} -> {row['predicted']} (confidence "
                f"{row['confidence']:.3f}): {row['text']}"
            )
    return 0


_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _cmd_serve(args: argparse.Namespace) -> int:
    import importlib.util

    if (
        importlib.util.find_spec("fastapi") is None
        or importlib.util.find_spec("uvicorn") is None
    ):
        raise ValueError(
            'serve needs the serve extra: pip install "dunning-guard[serve]".'
        )
    token = args.token or os.environ.get("DUNNING_GUARD_TOKEN") or None
    if args.feedback and args.host not in _LOOPBACK and not token:
        raise ValueError(
            f"Refusing to take feedback on {args.host} without a token: pass "
            "--token or set DUNNING_GUARD_TOKEN, or bind 127.0.0.1."
        )
    for path in (args.model, args.trusted_senders):
        if path is not None and not os.path.isfile(path):
            raise FileNotFoundError(f"No file at {path}.")
    if args.feedback:
        from ._files import check_writable

        check_writable(args.feedback)
    settings = {
        "model": args.model,
        "feedback": args.feedback,
        "token": token,
        "trusted_senders": args.trusted_senders,
        "operating_point": _operating_point(args.operating_point),
        "cors": args.cors or None,
        "max_batch": args.max_batch,
    }
    # Each worker builds its own app (and loads the model once) from these.
    os.environ["DUNNING_GUARD_SERVE"] = json.dumps(settings)
    import uvicorn

    uvicorn.run(
        "dunning_guard.serve:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning" if args.quiet else "info",
    )
    return 0


def _common(parser: argparse.ArgumentParser, model: bool = True) -> None:
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log what is done on stderr"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar, no log"
    )
    parser.add_argument(
        "--encoding",
        default="utf-8",
        help="encoding of input CSV files (default utf-8; e.g. gbk, big5)",
    )
    if model:
        parser.add_argument(
            "--model", help="model file to use (default: the bundled model)"
        )


def _labeled_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", help="CSV with text and label columns")
    parser.add_argument(
        "--text-column", default="text", help="column with the messages (default: text)"
    )
    parser.add_argument(
        "--label-column",
        default="label",
        help="column with the labels (default: label)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dunning-guard",
        description=(
            "Label Chinese debt-collection messages: reminder, overdue, legal, scam, "
            "or unrelated (not about a debt)."
        ),
        epilog="Exit status: 0 done, 2 bad input (one line on stderr), 130 interrupted.",
    )
    parser.add_argument(
        "--version", action="version", version=f"dunning-guard {__version__}"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser(
        "classify",
        help="classify messages (arguments, stdin or a CSV file)",
        description="Classify messages given as arguments, one per line on stdin, "
        "or in a CSV column (streamed, so any size works).",
    )
    c.add_argument("text", nargs="*", help="messages to classify")
    c.add_argument("--input", help="CSV file to classify, with a header row")
    c.add_argument("--column", help="text column of --input (default: text)")
    c.add_argument(
        "--output",
        help="file to write (default: stdout); with --input, its columns plus the "
        "new ones (prefixed dg_)",
    )
    c.add_argument(
        "--sender",
        help="number or short code every message came from (with --input too)",
    )
    c.add_argument(
        "--sender-column", help="column of --input with each message's sender"
    )
    c.add_argument(
        "--prefix",
        default=PREFIX,
        help=f"prefix of the columns added to --input's (default: {PREFIX})",
    )
    c.add_argument(
        "--json",
        action="store_true",
        help="JSON lines (one record a message, with red flags, facts and advice; "
        "with --input, the row under 'input') instead of CSV",
    )
    c.add_argument(
        "--review",
        type=int,
        metavar="K",
        help="write only the K least certain verdicts (smallest margin), least "
        "certain first: the messages to label first",
    )
    c.add_argument(
        "--trusted-senders",
        metavar="FILE",
        help="senders you trust, one number or short code per line: their messages "
        "are not scams unless they carry a fraud mechanism",
    )
    c.add_argument(
        "--operating-point",
        metavar="POINT",
        help="the mix of messages you expect: corpus (the training mix, default), "
        "inbox (a phone's everyday messages), collections (a lender's debt "
        "traffic), or shares such as scam=0.02,debt=0.1",
    )
    c.add_argument(
        "--output-encoding",
        default="utf-8",
        choices=["utf-8", "utf-8-sig", "gbk", "gb18030", "big5"],
        help="encoding of the output (default utf-8; utf-8-sig for Excel, gbk or "
        "gb18030 for Chinese Windows)",
    )
    _common(c)
    c.set_defaults(func=_cmd_classify)

    t = sub.add_parser(
        "train",
        help="train a model on a labeled CSV",
        description="Train a model on a CSV with text and label columns and save it.",
    )
    _labeled_data(t)
    t.add_argument("--output", required=True, help="model file to write")
    t.add_argument(
        "--base",
        choices=["bundled"],
        help="also learn from the bundled corpus (your rows weighted by --weight)",
    )
    t.add_argument(
        "--weight",
        type=float,
        default=1.0,
        help="weight of your rows against the bundled corpus (default 1)",
    )
    _common(t, model=False)
    t.set_defaults(func=_cmd_train)

    e = sub.add_parser(
        "evaluate",
        help="print per-label figures on a labeled CSV",
        description="Score a model on a labeled CSV: per-label table and confusion.",
    )
    _labeled_data(e)
    e.add_argument(
        "--errors",
        type=int,
        default=0,
        metavar="N",
        help="also list the N most confident misclassified rows",
    )
    _common(e)
    e.set_defaults(func=_cmd_evaluate)

    s = sub.add_parser(
        "serve",
        help="serve the model over HTTP, with a page (needs the serve extra)",
        description="Serve the model over HTTP (OpenAPI at /docs) with a page at / "
        "to paste messages into and correct the model.",
    )
    s.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
    )
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument(
        "--workers", type=int, default=1, help="worker processes (default 1)"
    )
    s.add_argument(
        "--feedback",
        metavar="FILE",
        help="CSV file corrections are appended to (default: feedback is off)",
    )
    s.add_argument(
        "--token",
        help="token required for feedback and its export (or DUNNING_GUARD_TOKEN)",
    )
    s.add_argument(
        "--trusted-senders",
        metavar="FILE",
        help="senders you trust, one per line (as for classify)",
    )
    s.add_argument(
        "--operating-point", metavar="POINT", help="as for classify (default corpus)"
    )
    s.add_argument(
        "--cors",
        action="append",
        metavar="ORIGIN",
        help="an origin allowed to call from a browser (repeatable; default none)",
    )
    s.add_argument(
        "--max-batch",
        type=int,
        default=1000,
        help="texts a batch request may hold (default 1000)",
    )
    _common(s)
    s.set_defaults(func=_cmd_serve)
    return parser


def _terminate(signum: int, frame: object) -> None:  # noqa: ARG001
    raise SystemExit(128 + signum)


# Signals that end the process: each unwinds like an exception, so a partial
# output is removed (SIGINT does so as KeyboardInterrupt).
_SIGNALS = ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        # Arguments with undecodable bytes arrive as lone surrogates; print them escaped.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    logging.basicConfig(
        level=logging.INFO
        if args.verbose
        else logging.ERROR
        if args.quiet
        else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    with contextlib.suppress(ValueError):  # not the main thread
        for name in _SIGNALS:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), _terminate)
    try:
        code = int(args.func(args))
        if sys.stdout is not None and not sys.stdout.closed:
            sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other tools do.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        _error(
            f"the output encoding {exc.encoding} cannot write {bad!r}; "
            "use --output-encoding utf-8-sig (Excel reads it) or gb18030"
        )
        return 2
    except (ValueError, TypeError, OSError) as exc:
        _error(str(exc))
        return 2


def _error(message: str) -> None:
    if sys.stderr is not None and not sys.stderr.closed:
        print(f"error: {message}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
