"""`dunning-guard serve`: the model over HTTP, a page to paste messages into, and
corrections that flow back into training.

Needs the ``serve`` extra (``pip install "dunning-guard[serve]"``: FastAPI and
uvicorn). `create_app` builds the ASGI application; the CLI runs it with uvicorn.

Endpoints (OpenAPI at ``/docs``):

- ``POST /v1/classify`` ``{text, sender?}``: the record of ``classify --json``
  (`Prediction.to_dict`, one schema for every surface).
- ``POST /v1/classify/batch`` ``{texts, senders?}``: the records, in order (at
  most `MAX_BATCH` texts).
- ``POST /v1/explain`` ``{text, sender?, k?}``: the record and the features that
  pushed for and against its label.
- ``POST /v1/view`` ``{texts, senders?, explain?}``: the records and the HTML the
  page shows (the markup of `Prediction._repr_html_`).
- ``POST /v1/feedback`` ``{text, label, predicted?, note?}``: a correction,
  appended to the feedback file; ``GET /v1/feedback``: the file (CSV). Both need
  the token when one is set.
- ``GET /v1/model``, ``GET /healthz``, ``GET /`` (the page).

Scoring endpoints are plain functions, which the framework runs in its thread
pool, so a long batch never blocks the event loop for other requests.
"""

from __future__ import annotations

import csv
import datetime
import hmac
import io
import json
import os
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ._html import render_many
from ._model import Model
from ._persist import load
from ._version import __version__
from ._vocab import OUTCOMES

__all__ = ["MAX_BATCH", "MAX_BODY_BYTES", "FeedbackLog", "create_app"]

#: Texts in one batch request at most (more: 422 naming the limit).
MAX_BATCH = 1000
#: Bytes of a request body at most (more: 413).
MAX_BODY_BYTES = 1_000_000
#: The environment variable a token can come from (instead of ``--token``).
TOKEN_ENV = "DUNNING_GUARD_TOKEN"
FEEDBACK_COLUMNS = ("time", "text", "label", "predicted", "note")


class ClassifyRequest(BaseModel):
    text: str = Field(description="the message")
    sender: str | None = Field(
        None, description="the number or short code it came from"
    )


class BatchRequest(BaseModel):
    texts: list[str] = Field(description=f"the messages, at most {MAX_BATCH}")
    senders: list[str | None] | None = Field(None, description="one sender per message")


class ExplainRequest(ClassifyRequest):
    k: int = Field(5, ge=1, le=20, description="features for and against, each")


class ViewRequest(BatchRequest):
    explain: int = Field(5, ge=0, le=20, description="features for and against, each")


class FeedbackRequest(BaseModel):
    text: str = Field(description="the message")
    label: str = Field(description=f"the right outcome: one of {', '.join(OUTCOMES)}")
    predicted: str | None = Field(None, description="what the model said")
    note: str | None = Field(None, max_length=500, description="why, in a few words")


class FeedbackLog:
    """Corrections, appended as CSV (``time,text,label,predicted,note``), one line a
    record, each written whole under a lock (threads) and ``flock`` (processes),
    then fsynced: concurrent requests never interleave or leave half a row.

    Line breaks inside a text become spaces (the model reads them as spaces), so a
    record is always one line; ``dunning-guard train FILE`` learns from the file.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked() as fd:
            size = os.fstat(fd).st_size
            if size == 0:
                os.write(fd, (",".join(FEEDBACK_COLUMNS) + "\n").encode())
                os.fsync(fd)

    def _locked(self) -> Any:
        import contextlib
        import fcntl

        @contextlib.contextmanager
        def locked() -> Any:
            with self._lock:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    yield fd
                finally:
                    os.close(fd)  # closing releases the flock

        return locked()

    def append(
        self, text: str, label: str, predicted: str | None, note: str | None
    ) -> None:
        def one_line(value: str | None) -> str:
            return " ".join((value or "").splitlines())

        row = io.StringIO()
        csv.writer(row, lineterminator="\n").writerow(
            [
                datetime.datetime.now(datetime.timezone.utc).isoformat(
                    timespec="seconds"
                ),
                one_line(text),
                label,
                one_line(predicted),
                one_line(note),
            ]
        )
        data = row.getvalue().encode("utf-8")
        with self._locked() as fd:
            os.write(fd, data)
            os.fsync(fd)

    def read(self) -> bytes:
        return self.path.read_bytes()


def _one_line(error: RequestValidationError) -> tuple[int, str]:
    """A validation error as (status, one line): 400 for a body that is not JSON,
    422 for a body of the wrong shape."""
    first = error.errors()[0] if error.errors() else {}
    if first.get("type") == "json_invalid":
        return 400, "The body is not valid JSON."
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    what = str(first.get("msg", "invalid request")).splitlines()[0][:200]
    return 422, f"{where or 'body'}: {what}."


class _BodyLimit:
    """Refuses request bodies over `limit` bytes with 413, counted as they arrive
    (a client that sends no Content-Length is held to it too)."""

    def __init__(self, app: Any, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Any) -> None:
        body = json.dumps(
            {"error": f"The request body is over {self.limit:,} bytes."}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def _page() -> str:
    return (
        resources.files("dunning_guard")
        .joinpath("static/index.html")
        .read_text(encoding="utf-8")
    )


def create_app(
    model: Model | str | os.PathLike[str] | None = None,
    *,
    feedback: str | os.PathLike[str] | None = None,
    token: str | None = None,
    trusted_senders: str | os.PathLike[str] | None = None,
    operating_point: str | dict[str, float] | None = None,
    cors: list[str] | None = None,
    max_batch: int = MAX_BATCH,
    max_body: int = MAX_BODY_BYTES,
) -> FastAPI:
    """The service as an ASGI application.

    `model` is a loaded `Model`, a model file, or None (the bundled model); it is
    loaded once. `feedback` is the CSV file corrections go to (None: feedback is
    off, 404). `token` (or the ``DUNNING_GUARD_TOKEN`` environment variable), when
    set, is required for feedback and its export (``Authorization: Bearer …``).
    `cors` lists origins allowed to call from a browser (none by default).
    """
    if not isinstance(model, Model):
        model = load(model)
    if operating_point is not None:
        model = model.with_operating_point(operating_point)
    if trusted_senders is not None:
        model = model.with_trusted_senders(trusted_senders)
    token = token or os.environ.get(TOKEN_ENV) or None
    log = FeedbackLog(feedback) if feedback is not None else None
    scorer: Model = model
    app = FastAPI(
        title="dunning_guard",
        version=__version__,
        description="Tell whether a Chinese debt-collection message can be trusted.",
    )
    if cors:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware, allow_origins=cors, allow_methods=["*"], allow_headers=["*"]
        )
    app.add_middleware(_BodyLimit, limit=max_body)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        status, message = _one_line(error)
        return JSONResponse({"error": message}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(
        request: Request, error: StarletteHTTPException
    ) -> JSONResponse:
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code)

    @app.exception_handler(Exception)
    async def crashed(request: Request, error: Exception) -> JSONResponse:
        # Never a traceback or a path in a response.
        return JSONResponse({"error": "Internal error."}, status_code=500)

    def refuse(status: int, message: str) -> None:
        raise StarletteHTTPException(status_code=status, detail=message)

    def check_batch(texts: list[str], senders: list[str | None] | None) -> None:
        if len(texts) > max_batch:
            refuse(
                422, f"texts: at most {max_batch} messages a request, got {len(texts)}."
            )
        if senders is not None and len(senders) != len(texts):
            refuse(422, f"senders: one per text, got {len(senders)} for {len(texts)}.")

    def authorized(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("authorization", "")
        given = given.removeprefix("Bearer ").strip() or request.headers.get(
            "x-token", ""
        )
        if not hmac.compare_digest(given.encode(), token.encode()):
            refuse(401, "A valid token is required (Authorization: Bearer TOKEN).")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness: the model is loaded and answers."""
        return {"status": "ok"}

    @app.get("/v1/model")
    def model_info() -> dict[str, Any]:
        """Classes, version, data hash and headline figures of the model served."""
        meta = scorer.metadata
        return {
            "classes": [str(c) for c in scorer.classes_],
            "dunning_guard_version": __version__,
            "data_sha256": meta.get("data_sha256"),
            "metrics": meta.get("headline", {}),
            "relevance_threshold": scorer.relevance_threshold,
            "resemblance_threshold": scorer.resemblance_threshold,
            "operating_point": scorer.operating_point or "corpus",
            "trusted_senders": len(scorer.trusted_senders),
            "feedback": log is not None,
            "max_batch": max_batch,
        }

    # The scoring endpoints return their records as JSON directly: the records are
    # plain JSON values already, and FastAPI's validation of a return value costs
    # more than scoring a message.
    @app.post("/v1/classify", response_class=JSONResponse)
    def classify(request: ClassifyRequest) -> JSONResponse:
        """One message: the record of ``classify --json``."""
        return JSONResponse(
            scorer.classify(request.text, sender=request.sender).to_dict()
        )

    @app.post("/v1/classify/batch", response_class=JSONResponse)
    def classify_batch(request: BatchRequest) -> JSONResponse:
        """Many messages: their records, in order."""
        check_batch(request.texts, request.senders)
        batch = scorer.classify_many(request.texts, senders=request.senders)
        return JSONResponse([p.to_dict() for p in batch])

    @app.post("/v1/explain")
    def explain(request: ExplainRequest) -> dict[str, Any]:
        """One message: its record and the features for and against its label."""
        record = scorer.classify(request.text, sender=request.sender).to_dict()
        contributions = scorer.explain(request.text, k=request.k)
        return {"record": record, "contributions": [c.to_dict() for c in contributions]}

    @app.post("/v1/view")
    def view(request: ViewRequest) -> dict[str, Any]:
        """Records and the HTML cards the page shows (escaped, flags highlighted)."""
        check_batch(request.texts, request.senders)
        batch = scorer.classify_many(request.texts, senders=request.senders)
        records = [p.to_dict() for p in batch]
        why = (
            [
                [c.to_dict() for c in scorer.explain(t, k=request.explain)]
                for t in request.texts
            ]
            if request.explain
            else None
        )
        return {"records": records, "html": render_many(records, why)}

    @app.post("/v1/feedback", status_code=201)
    def post_feedback(request: FeedbackRequest, http: Request) -> dict[str, Any]:
        """A correction: appended to the feedback file for the next training."""
        if log is None:
            refuse(404, "Feedback is off: start the service with --feedback FILE.")
        authorized(http)
        if request.label not in OUTCOMES:
            refuse(
                422,
                f"label: expected one of {', '.join(OUTCOMES)}, got {request.label!r}.",
            )
        if not request.text.strip():
            refuse(422, "text: expected a message, got an empty text.")
        assert log is not None
        log.append(request.text, request.label, request.predicted, request.note)
        return {"saved": True}

    @app.get("/v1/feedback")
    def get_feedback(http: Request) -> Response:
        """The feedback file, as CSV (``dunning-guard train`` reads it)."""
        if log is None:
            refuse(404, "Feedback is off: start the service with --feedback FILE.")
        authorized(http)
        assert log is not None
        return Response(log.read(), media_type="text/csv; charset=utf-8")

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        """The page: paste messages, see why, correct the model."""
        return _page()

    @app.get("/robots.txt", response_class=PlainTextResponse)
    def robots() -> str:
        return "User-agent: *\nDisallow: /\n"

    return app


def app_from_environment() -> FastAPI:
    """The application with the settings the CLI put in ``DUNNING_GUARD_SERVE``
    (one JSON object): how each uvicorn worker builds its own."""
    import gc

    settings = json.loads(os.environ.get("DUNNING_GUARD_SERVE", "{}"))
    app = create_app(settings.pop("model", None), **settings)
    # The model and the libraries live as long as the worker: keep the garbage
    # collector from walking them on every full collection (shorter tail latency).
    gc.freeze()
    return app
