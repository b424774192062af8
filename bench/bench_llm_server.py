"""Model server benchmark: the same answer requests phrased in-process and through a model
server on loopback (llama-cpp-python's `llama_cpp.server`, OpenAI-compatible, streamed).

Both sides run the same GGUF (the bundled Gemma 3 270M with a chat template added, as a
user's instruct GGUF would carry), with the same threads, sampling and chat messages; runs
alternate local/server so that load from other programs falls on both alike. Measured:
time to first token and total per request; the figure is the server's overhead, server /
local (target <= 1.1).

Run: .venv/bin/python bench/bench_llm_server.py [--repeat 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests"))
from gguf_edit import with_string_key  # noqa: E402
from model_server import serve_model  # noqa: E402

from assistant.config import LLMConfig  # noqa: E402
from assistant.llm import AnswerRequest, LlamaBackend, bundled_model_path  # noqa: E402
from assistant.llm_server import ServerBackend  # noqa: E402
from common import percentile, print_table, save  # noqa: E402

TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<start_of_turn>{{ m.role }}\n"
    "{{ m.content }}<end_of_turn>\n{% endfor %}<start_of_turn>model\n"
)
TODAY = "Monday 23 November 2026"
REQUESTS = [
    AnswerRequest(
        "How much is my rent?",
        '[1] note "Apartment" (home/apartment.md L1-L8)\n## Rent\nThe rent is 1,240 EUR per '
        "month, due on the 3rd, paid to Herr Vogel.\n## Heating\nThe radiator in the bedroom "
        "rattles; the landlord will send a plumber.",
        TODAY,
    ),
    AnswerRequest(
        "When does my flight to Lisbon leave?",
        '[1] note "Lisbon trip" (travel/lisbon.md L7-L12)\n## Flights\nOutbound flight TP 555 '
        "departs BER at 07:10 on 12 December 2026 and lands in LIS at 09:55.\nThe return "
        "flight TP 556 leaves Lisbon on 16 December at 18:40.",
        TODAY,
    ),
    AnswerRequest(
        "What is my sourdough starter called?",
        '[1] note "Sourdough" (recipes/sourdough.md L1-L6)\nMy sourdough starter is called '
        "Gertrude. I feed her every morning with rye flour.\n## Method\nHydration is 75 "
        "percent. Bulk fermentation takes about five hours at 24 degrees.",
        TODAY,
    ),
    AnswerRequest(
        "Which hotel did Ada book?",
        '[1] note "Lisbon trip" (travel/lisbon.md L13-L15)\n## Hotel\nAda booked the hotel '
        "Casa do Rio on Rua das Flores 12. Booking reference LX-48213.",
        TODAY,
    ),
]


def timed(stream) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    first, n = None, 0
    for _ in stream:
        if first is None:
            first = time.perf_counter() - t0
        n += 1
    total = time.perf_counter() - t0
    return (first if first is not None else total), total, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-tokens", type=int, default=160)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-llm-server-"))
    chat = with_string_key(bundled_model_path(folder), folder / "chat.gguf",
                           "tokenizer.chat_template", TEMPLATE)
    config = LLMConfig(model=str(chat), threads=args.threads, max_tokens=args.max_tokens)
    local = LlamaBackend(chat, config, name="chat.gguf", force_completion=False)
    _ = local.llama  # loaded before timing, as a warm daemon holds it
    rows: dict[str, list[tuple[float, float, int]]] = {"local": [], "server": []}
    with serve_model(chat, folder / "server.log", threads=args.threads) as server:
        remote = ServerBackend(LLMConfig(backend="server", url=server.url, model="test-model",
                                         max_tokens=args.max_tokens, timeout=120))
        for backend in (local, remote):  # warm-up: the system prompt's KV cache on both sides
            timed(backend.stream(REQUESTS[0]))
        for _ in range(args.repeat):
            for request in REQUESTS:
                for name, backend in (("local", local), ("server", remote)):
                    rows[name].append(timed(backend.stream(request)))

    def p50(name: str, i: int) -> float:
        return percentile([r[i] for r in rows[name]], 50)

    table = []
    for name in ("local", "server"):
        tokens = sum(r[2] for r in rows[name])
        seconds = sum(r[1] for r in rows[name])
        table.append([name, f"{p50(name, 0):.3f}", f"{p50(name, 1):.2f}",
                      f"{tokens / len(rows[name]):.0f}", f"{tokens / seconds:.1f}"])
    ratio_first = p50("server", 0) / p50("local", 0)
    ratio_total = p50("server", 1) / p50("local", 1)
    table.append(["server / local", f"{ratio_first:.2f}", f"{ratio_total:.2f}", "", ""])
    print_table("same requests, in-process vs a model server on loopback", ["backend", "first token p50 s", "total p50 s", "chunks/answer", "chunks/s"],
                table)
    save("llm_server", {
        "threads": args.threads, "repeat": args.repeat, "max_tokens": args.max_tokens,
        "requests": len(REQUESTS), "runs": {k: [list(r) for r in v] for k, v in rows.items()},
        "ratio_first_token": ratio_first, "ratio_total": ratio_total,
    })


if __name__ == "__main__":
    main()
