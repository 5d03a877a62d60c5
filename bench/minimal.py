"""The baseline: a minimal Flask page, served the same way as the product."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return (
        "<!doctype html><title>minimal</title><p>Hello from a minimal Flask page.</p>"
    )
