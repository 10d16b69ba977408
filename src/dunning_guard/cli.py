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
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import IO, Any

from ._version import __version__

__all__ = ["main"]

logger = logging.getLogger("dunning_guard")

CHUNK_ROWS = 5_000


def _load_model(path: str | None) -> Any:
    from ._persist import load

    return load(path)


def _result_row(p: Any, classes: Sequence[str]) -> list[Any]:
    return [
        p.label,
        repr(p.confidence),
        str(p.relevant),
        repr(p.relevance),
        " ".join(p.flag_ids),
        *(repr(p.scores.get(c, 0.0)) for c in classes),
    ]


def _result_header(classes: Sequence[str], prefix: str = "") -> list[str]:
    names = ["label", "confidence", "relevant", "relevance", "red_flags"]
    return [prefix + n for n in names] + [f"{prefix}p_{c}" for c in classes]


def _chunks(rows: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _count_rows(path: str, encoding: str) -> int | None:
    from ._files import csv_rows

    try:
        return max(0, sum(1 for _ in csv_rows(path, encoding)) - 1)
    except ValueError:
        return None  # the real pass reports the problem with its line number


def _classify_file(model: Any, args: argparse.Namespace, out: IO[str]) -> int:
    """Stream a CSV through the model in chunks, so memory stays flat."""
    from ._files import csv_rows, stderr_is_terminal
    from ._progress import progress

    rows = csv_rows(args.input, args.encoding)
    header = next(rows, None)
    if header is None:
        raise ValueError(f"{args.input} is empty; expected a header row.")
    if args.column not in header:
        raise ValueError(
            f"Expected a column {args.column!r} in {args.input}, found {header}; "
            "pass --column NAME."
        )
    text_at = header.index(args.column)
    sender_at = None
    if args.sender_column:
        if args.sender_column not in header:
            raise ValueError(
                f"Expected a column {args.sender_column!r} in {args.input}, found "
                f"{header}; pass --sender-column NAME."
            )
        sender_at = header.index(args.sender_column)
    classes = [str(c) for c in model.classes_]
    writer = csv.writer(out)
    writer.writerow(header + _result_header(classes, "dg_"))
    show = not args.quiet and stderr_is_terminal()
    total = _count_rows(args.input, args.encoding) if show else None
    done = 0
    stream = progress(rows, total=total, desc="classify", unit="msg", enable=show)
    try:
        for chunk in _chunks(stream, CHUNK_ROWS):
            senders = (
                [r[sender_at] or None for r in chunk] if sender_at is not None else None
            )
            batch = model.classify_many([r[text_at] for r in chunk], senders=senders)
            writer.writerows(r + _result_row(p, classes) for r, p in zip(chunk, batch))
            done += len(chunk)
    finally:
        stream.close()
    return done


def _stdin_texts() -> list[str]:
    if sys.stdin is None or sys.stdin.closed:
        raise ValueError(
            "Standard input is closed; give messages as arguments or --input FILE."
        )
    return [line.rstrip("\r\n") for line in sys.stdin if line.strip()]


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    if path is None or path == "-":
        yield sys.stdout
        return
    from ._files import atomic_write

    with atomic_write(path, "w", encoding="utf-8", newline="") as f:
        yield f


def _cmd_classify(args: argparse.Namespace) -> int:
    if args.input and args.text:
        raise ValueError("Give messages as arguments or --input FILE, not both.")
    if args.output not in (None, "-"):
        from ._files import check_writable

        check_writable(args.output)
    model = _load_model(args.model)
    if args.input:
        with _output(args.output) as out:
            done = _classify_file(model, args, out)
        logger.info("classified %d rows from %s", done, args.input)
        return 0
    texts = args.text or _stdin_texts()
    if not texts:
        raise ValueError(
            "Give messages as arguments, on standard input, or --input FILE."
        )
    predictions = model.classify_many(texts, senders=[args.sender] * len(texts))
    classes = [str(c) for c in model.classes_]
    with _output(args.output) as out:
        if args.json:
            for p in predictions:
                out.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
        else:
            writer = csv.writer(out)
            writer.writerow(["text", *_result_header(classes)])
            writer.writerows([p.text, *_result_row(p, classes)] for p in predictions)
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
        stage("fitted")
        model.save(args.output)
        stage("saved")
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
                f"{row['label']} -> {row['predicted']} ({row['confidence']:.3f}): {row['text']}"
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
    c.add_argument(
        "--column", default="text", help="text column of --input (default: text)"
    )
    c.add_argument(
        "--output",
        help="file to write (default: stdout); --input's columns plus dg_* columns",
    )
    c.add_argument("--sender", help="number or short code the messages came from")
    c.add_argument(
        "--sender-column", help="column of --input with each message's sender"
    )
    c.add_argument(
        "--json",
        action="store_true",
        help="JSON lines with red flags, facts and advice, instead of CSV",
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
    return parser


def _terminate(signum: int, frame: object) -> None:  # noqa: ARG001
    raise SystemExit(128 + signum)


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
    # SIGTERM unwinds like an exception, so partial outputs are removed.
    with contextlib.suppress(ValueError):  # not the main thread
        signal.signal(signal.SIGTERM, _terminate)
    try:
        code = int(args.func(args))
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
    except (ValueError, TypeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
