"""The framework's floor: a bare Flask app answering each benchmark URL with the bytes the real
app answered, recorded in the JSON file ``BENCH_FLOOR_FILE`` names ({key: latin-1 text}); the
request names its key in the ``X-Bench-Key`` header."""

import json
import os

from flask import Flask, Response, abort, request

app = Flask(__name__)
with open(os.environ["BENCH_FLOOR_FILE"], encoding="utf-8") as recorded:
    BODIES = {key: text.encode("latin-1") for key, text in json.load(recorded).items()}


@app.route("/", defaults={"path": ""})
@app.route("/<path:path>")
def serve(path: str) -> Response:
    body = BODIES.get(request.headers.get("X-Bench-Key", ""))
    if body is None:
        abort(404)
    return Response(body, mimetype="text/html")
