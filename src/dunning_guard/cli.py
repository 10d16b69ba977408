"""The ``dunning-guard`` command: classify, train and evaluate from the shell."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

__all__ = ["main"]

logger = logging.getLogger("dunning_guard")

CHUNK_ROWS = 10_000


def _load_model(path: str | None):  # noqa: ANN202
    from ._persist import load

    return load(path)


def _progress(done: int, total: int | None) -> None:
    if not sys.stderr.isatty():
        return
    tail = f"/{total}" if total else ""
    print(f"\rclassified {done}{tail} rows", end="", file=sys.stderr, flush=True)


def _senders(chunk: pd.DataFrame, args: argparse.Namespace) -> list[str | None] | None:
    if not args.sender_column:
        return None
    if args.sender_column not in chunk.columns:
        raise ValueError(
            f"Expected a column {args.sender_column!r} in {args.input}, found "
            f"{list(chunk.columns)}; pass --sender-column NAME."
        )
    return [s or None for s in chunk[args.sender_column]]


def _classify_file(model, args: argparse.Namespace) -> None:  # noqa: ANN001
    """Stream a CSV through the model in chunks, so memory stays flat.

    Rows go to a hidden partial file that replaces `--output` only when all are done.
    """
    output = Path(args.output)
    tmp = output.with_name(f".{output.name}.partial")
    done = 0
    try:
        with (
            open(tmp, "w", encoding="utf-8", newline="") as out,
            pd.read_csv(
                args.input,
                dtype=str,
                keep_default_na=False,
                chunksize=CHUNK_ROWS,
                encoding="utf-8",
            ) as chunks,
        ):
            for chunk in chunks:
                if args.column not in chunk.columns:
                    raise ValueError(
                        f"Expected a column {args.column!r} in {args.input}, found "
                        f"{list(chunk.columns)}; pass --column NAME."
                    )
                frame = (
                    model.classify_many(
                        chunk[args.column], senders=_senders(chunk, args)
                    )
                    .to_frame()
                    .drop(columns="text")
                )
                chunk.join(frame.add_prefix("dg_")).to_csv(
                    out, header=done == 0, index=False
                )
                done += len(chunk)
                _progress(done, None)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    logger.info("wrote %d rows to %s", done, output)


def _cmd_classify(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    if args.input:
        if not args.output:
            raise SystemExit("error: --input needs --output.")
        _classify_file(model, args)
        return 0
    texts = args.text or [line.rstrip("\n") for line in sys.stdin if line.strip()]
    if not texts:
        raise SystemExit(
            "error: give messages as arguments, on standard input, or --input FILE."
        )
    predictions = model.classify_many(texts, senders=[args.sender] * len(texts))
    frame = predictions.to_frame()
    if args.json:
        for p in predictions:
            print(json.dumps(p.to_dict(), ensure_ascii=False))
    else:
        frame.to_csv(
            sys.stdout, index=False, float_format="%.3f", quoting=csv.QUOTE_MINIMAL
        )
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from ._api import train

    model = train(args.data, text_col=args.text_column, label_col=args.label_column)
    model.save(args.output)
    print(
        f"trained on {args.data}, labels {', '.join(map(str, model.classes_))}; saved {args.output}"
    )
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from ._evaluate import evaluate

    report = evaluate(
        _load_model(args.model),
        args.data,
        text_col=args.text_column,
        label_col=args.label_column,
    )
    print(report)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dunning-guard",
        description="Label Chinese debt-collection messages: reminder, overdue, legal or scam.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True)

    c = sub.add_parser(
        "classify", help="classify messages (arguments, stdin or a CSV file)"
    )
    c.add_argument("text", nargs="*", help="messages to classify")
    c.add_argument("--input", help="CSV file to classify")
    c.add_argument(
        "--column", default="text", help="text column of --input (default: text)"
    )
    c.add_argument("--output", help="CSV file to write (--input's columns plus dg_*)")
    c.add_argument("--model", help="model file (default: the bundled model)")
    c.add_argument("--sender", help="number or short code the messages came from")
    c.add_argument(
        "--sender-column", help="column of --input with each message's sender"
    )
    c.add_argument(
        "--json",
        action="store_true",
        help="print JSON lines (with red flags, facts, advice) instead of CSV",
    )
    c.set_defaults(func=_cmd_classify)

    t = sub.add_parser("train", help="train a model on a labeled CSV")
    t.add_argument("data", help="CSV with text and label columns")
    t.add_argument("--output", required=True, help="model file to write")
    t.add_argument("--text-column", default="text")
    t.add_argument("--label-column", default="label")
    t.set_defaults(func=_cmd_train)

    e = sub.add_parser("evaluate", help="print per-label figures on a labeled CSV")
    e.add_argument("data", help="CSV with text and label columns")
    e.add_argument("--model", help="model file (default: the bundled model)")
    e.add_argument("--text-column", default="text")
    e.add_argument("--label-column", default="label")
    e.set_defaults(func=_cmd_evaluate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        # Arguments with undecodable bytes arrive as lone surrogates; print them escaped.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except (ValueError, TypeError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
