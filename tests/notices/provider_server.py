"""A provider played by a real HTTP server on 127.0.0.1 (a random port, in a thread):
the SDKs under test talk HTTP to it as they would to Alibaba, Tencent or WeChat. It keeps
what it received and answers what the test queued: a JSON body with a status, or a hang
past the client's timeout."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HANG = "hang"


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Provider:
    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    answers: list = field(default_factory=list)  # (status, body) or HANG, in turn
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, *answers) -> None:
        self.answers.extend(answers)


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            provider.received.append(
                Received(
                    method=self.command,
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
            )
            answer = provider.answers.pop(0) if provider.answers else (500, {})
            if answer == HANG:
                provider.released.wait(10)  # past any client's timeout
                return
            status, body = answer
            content = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _serve

        def log_message(self, *args):
            pass  # the test's output stays quiet

    return Handler


def start() -> Provider:
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    server.daemon_threads = True
    provider = Provider(server)
    server.RequestHandlerClass = _handler(provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return provider


def stop(provider: Provider) -> None:
    provider.released.set()
    provider.server.shutdown()
    provider.server.server_close()
