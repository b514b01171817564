"""What one request to ``hub-lite serve`` may be: ``ServeLimits`` parses and checks a /predict
body (both our form and PaddleHub Serving's), ``RequestError`` is a client error with its HTTP
status. Used by ``server.py``'s handler."""
import json


class RequestError(Exception):
    """A client error: an HTTP status and a message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class ServeLimits:
    """What one request may ask for.

    Args:
        max_texts: texts in one request (default 256).
        max_chars: characters in one text (default 5000).
    """

    def __init__(self, max_texts: int = 256, max_chars: int = 5000):
        if max_texts < 1 or max_chars < 1:
            raise ValueError("max_texts and max_chars must be >= 1")
        self.max_texts = max_texts
        self.max_chars = max_chars

    @property
    def max_body(self) -> int:
        """The largest request body read, in bytes (4 UTF-8 bytes a character, escapes)."""
        return self.max_texts * (self.max_chars * 6 + 16) + 1024

    def texts(self, body: bytes, paddlehub: bool = False):
        """(texts, explain) of a /predict body, or ``RequestError``; ``paddlehub``: PaddleHub
        Serving's forms are accepted too (``{"data": {"text": [...]}}``); ``"explain": true``
        asks for each word's contribution."""
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            raise RequestError(400, "the body is not JSON: %s" % err) from None
        except RecursionError:      # e.g. 100,000 nested "[": answer, don't die in the parser
            raise RequestError(400, "the body is not JSON this server reads: nested too "
                                    "deeply") from None
        if paddlehub and isinstance(payload, dict) and "texts" not in payload \
                and isinstance(payload.get("data"), dict) and "text" in payload["data"]:
            payload = dict(payload, texts=payload["data"]["text"])
        if not isinstance(payload, dict) or "texts" not in payload:
            raise RequestError(400, 'the body must be an object {"texts": [...]}' +
                               (' or {"data": {"text": [...]}}' if paddlehub else ""))
        texts = payload["texts"]
        if not isinstance(texts, list):
            raise RequestError(400, '"texts" must be a list of strings, got %s'
                               % type(texts).__name__)
        if not texts:
            raise RequestError(400, '"texts" is empty')
        if len(texts) > self.max_texts:
            raise RequestError(413, "%d texts in one request; at most %d"
                               % (len(texts), self.max_texts))
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise RequestError(400, "texts[%d] is a %s, not a string"
                                   % (i, type(text).__name__))
            if len(text) > self.max_chars:
                raise RequestError(413, "texts[%d] has %d characters; at most %d"
                                   % (i, len(text), self.max_chars))
        explain = payload.get("explain", False)
        if not isinstance(explain, bool):
            raise RequestError(400, '"explain" must be true or false')
        return texts, explain
