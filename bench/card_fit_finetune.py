"""Would a fine-tuned (or larger) embedding model give a better block-to-card signal? (analysis)

    .venv/bin/python bench/card_fit_finetune.py export
    python3 bench/card_fit_finetune.py train --model DIR [--configs lora16 full]   # a GPU
    .venv/bin/python bench/card_fit_finetune.py score --sims DIR/sims_lora16.npz ...
    .venv/bin/python bench/card_fit_finetune.py auc --model DIR                    # any model

`export` writes every bench meeting's blocks (cut exactly as the segmenter cuts them),
each block's reference card and the card texts of the `ordered` and `shuffled`
conditions to $SEG_WORK/card-fit/data.json.gz. `train` fine-tunes all-MiniLM-L6-v2
(LoRA on every linear layer of the encoder, or the whole encoder) so that a block's own
card wins a softmax over its meeting's cards plus four distractor titles (scale 20),
out of fold on train (two folds by meeting series) and on all of train for val; at
each checkpoint it writes the held-out block-to-card similarities. It needs only
torch, sentence-transformers and numpy, so it runs on a GPU machine without the
pipeline (2.5 to 5 minutes a configuration on an H200; on a CPU, hours and some 15 GB:
`--limit 3` is a five-minute smoke run). `score` decodes with those
similarities in place of MiniLM's (everything else is the segmenter's own) and prints
mean Pk per condition and domain. `auc` measures another sentence-transformers model's
per-block AUC (own card against the meeting's other cards) on val.
Reads the reference answer key, which only evaluation code may do.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import random
import statistics
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

WORK = Path(os.environ.get("SEG_WORK", "/tmp/seg-bench"))
DATA = WORK / "card-fit" / "data.json.gz"
LORA_TARGETS = (
    "query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"
)  # fmt: skip
CONFIGS = {
    "lora16": {"kind": "lora", "rank": 16, "lr": 5e-4, "epochs": (1, 2, 4, 6)},
    "lora16hi": {"kind": "lora", "rank": 16, "lr": 1.5e-3, "epochs": (1, 2, 4, 6)},
    "full": {"kind": "full", "lr": 3e-5, "epochs": (1, 2, 4, 6)},
}


def series_fold(meeting_id: str) -> int:
    """Meetings of one series (ES2002a-d) share a fold: they share people and titles."""
    return zlib.crc32(meeting_id[:-1].encode()) % 2


# --- export (needs the pipeline) -------------------------------------------------------


def export() -> None:
    from score_segmentation import load_split

    from pipeline import segment

    out = {}
    for split in ("train", "val"):
        conditions = load_split(split)
        shuffled = {m.id: m for m in conditions["shuffled"]}
        meetings = []
        for m in conditions["ordered"]:
            data = json.loads((WORK / split / "ordered" / f"{m.id}.json").read_text())
            topic: list[str | None] = [None] * len(data["turns"])
            for s in data["reference"]["segments"]:
                for t in range(s["start_turn"], s["end_turn"] + 1):
                    topic[t] = None if s["is_gap"] else s["title"]
            units = m.given.transcript.segments
            _, _, _, ranges = segment._cut_into_blocks(units, segment.SegmentOptions())
            cards = {
                name: [f"{c.title}. {c.description}".strip(" .") for c in x.given.agenda.cards]
                for name, x in (("ordered", m), ("shuffled", shuffled[m.id]))
            }
            meetings.append({
                "id": m.id, "domain": m.domain, "fold": series_fold(m.id),
                "blocks": [" ".join(units[k].text.strip() for k in range(a, b + 1))
                           for a, b in ranges],
                "labels": [Counter(topic[a : b + 1]).most_common(1)[0][0] for a, b in ranges],
                "titles": [c.title for c in m.given.agenda.cards],
                "cards": cards,
            })  # fmt: skip
        out[split] = meetings
        blocks = sum(len(x["blocks"]) for x in meetings)
        print(f"{split}: {len(meetings)} meetings, {blocks} blocks")
    DATA.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(DATA, "wt") as f:
        json.dump(out, f)


# --- train (torch and sentence-transformers only) --------------------------------------


def _held_out_fit(encode, meetings: list[dict], split: str) -> tuple[dict, float]:
    """Block-to-card similarities of held-out meetings, and the per-block AUC."""
    texts = list(dict.fromkeys(
        t for m in meetings for t in m["blocks"] + m["cards"]["ordered"] + m["cards"]["shuffled"]
    ))  # fmt: skip
    vectors = encode(texts)
    row = {t: i for i, t in enumerate(texts)}
    fits, aucs = {}, []
    for m in meetings:
        blocks = vectors[[row[t] for t in m["blocks"]]]
        for condition in ("ordered", "shuffled"):
            cards = vectors[[row[t] for t in m["cards"][condition]]]
            fits[f"{split}/{condition}/{m['id']}"] = (blocks @ cards.T).astype(np.float16)
        fit = fits[f"{split}/ordered/{m['id']}"].astype(float)
        for b, label in enumerate(m["labels"]):
            if label is not None and len(m["titles"]) > 1:
                own = m["titles"].index(label)
                others = np.delete(fit[b], own)
                aucs.append(np.mean((fit[b, own] > others) + 0.5 * (fit[b, own] == others)))
    return fits, float(np.mean(aucs))


def _load(model_dir: str, device: str):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_dir, device=device)
    model.float()
    return model


def _encoder(model, device: str, grad: bool):
    import torch

    def encode(texts: list[str]):
        features = model.tokenize(texts)
        features = {k: v.to(device) if hasattr(v, "to") else v for k, v in features.items()}
        with torch.autocast(device, dtype=torch.bfloat16, enabled=device == "cuda"):
            out = model(features)["sentence_embedding"]
        return torch.nn.functional.normalize(out.float(), dim=-1)

    if grad:
        return encode

    def encode_all(texts: list[str]) -> np.ndarray:
        model.eval()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = None
        with torch.no_grad():
            for k in range(0, len(order), 256):
                part = encode([texts[i] for i in order[k : k + 256]]).cpu().numpy()
                out = np.zeros((len(texts), part.shape[1]), np.float32) if out is None else out
                out[order[k : k + 256]] = part
        return out

    return encode_all


def _add_lora(model, rank: int) -> None:
    import torch

    class LoRA(torch.nn.Module):
        def __init__(self, base: torch.nn.Linear) -> None:
            super().__init__()
            self.base, self.scale = base, 2.0  # alpha = 2 rank
            d, n_in = base.weight.device, base.in_features
            self.A = torch.nn.Parameter(torch.randn(rank, n_in, device=d) / n_in**0.5)
            self.B = torch.nn.Parameter(torch.zeros(base.out_features, rank, device=d))

        def forward(self, x):
            return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale

    encoder = model[0].auto_model.encoder
    for name, module in list(encoder.named_modules()):
        if isinstance(module, torch.nn.Linear) and name.endswith(LORA_TARGETS):
            parent, _, leaf = name.rpartition(".")
            setattr(encoder.get_submodule(parent), leaf, LoRA(module))


def _fine_tune(model_dir, config, train, held, split, tag, fits, device) -> None:
    import torch

    torch.manual_seed(0)
    rng = random.Random(0)
    model = _load(model_dir, device)
    for p in model.parameters():
        p.requires_grad = False
    if config["kind"] == "lora":
        _add_lora(model, config["rank"])
    else:
        for p in model[0].auto_model.encoder.parameters():
            p.requires_grad = True
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=config["lr"], weight_decay=0.01)
    batches_per_epoch = sum((sum(x is not None for x in m["labels"]) + 63) // 64 for m in train)
    total = max(config["epochs"]) * batches_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 50) * max(0.0, 1 - s / total)
    )
    pool: dict[str, list[str]] = {}
    for m in train:
        pool.setdefault(m["domain"], []).extend(m["titles"])
    encode = _encoder(model, device, grad=True)
    started = time.perf_counter()
    for epoch in range(1, max(config["epochs"]) + 1):
        model.train()
        batches = []
        for m in train:
            labelled = [b for b, x in enumerate(m["labels"]) if x is not None]
            rng.shuffle(labelled)
            batches += [(m, labelled[k : k + 64]) for k in range(0, len(labelled), 64)]
        rng.shuffle(batches)
        for m, chosen in batches:
            others = [t for t in pool[m["domain"]] if t not in m["titles"]]
            cards = m["titles"] + rng.sample(others, min(4, len(others)))
            vectors = encode([m["blocks"][b] for b in chosen] + cards)
            own = [m["titles"].index(m["labels"][b]) for b in chosen]
            target = torch.tensor(own, device=device)
            logits = 20.0 * vectors[: len(chosen)] @ vectors[len(chosen) :].T
            loss = torch.nn.functional.cross_entropy(logits, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        if epoch in config["epochs"]:
            held_fits, auc = _held_out_fit(_encoder(model, device, grad=False), held, split)
            fits.update({f"{tag}/{epoch}/{k}": v for k, v in held_fits.items()})
            print(f"{tag} epoch {epoch}: held-out per-block AUC {auc:.3f} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip


def train(model_dir: str, configs: list[str], out: Path, data_path: Path, limit: int) -> None:
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    with gzip.open(data_path, "rt") as f:
        data = json.load(f)
    configs_run = {name: CONFIGS[name] for name in configs}
    if limit:  # a smoke run: a few meetings, one epoch
        data = {split: meetings[:limit] for split, meetings in data.items()}
        configs_run = {name: dict(c, epochs=(1,)) for name, c in configs_run.items()}
    out.mkdir(parents=True, exist_ok=True)
    for name, config in configs_run.items():
        fits: dict[str, np.ndarray] = {}
        for fold in (0, 1):
            held = [m for m in data["train"] if m["fold"] == fold]
            rest = [m for m in data["train"] if m["fold"] != fold]
            _fine_tune(model_dir, config, rest, held, "train", f"f{fold}", fits, device)
        _fine_tune(model_dir, config, data["train"], data["val"], "val", "all", fits, device)
        np.savez_compressed(out / f"sims_{name}.npz", **fits)


def auc(model_dir: str) -> None:
    with gzip.open(DATA, "rt") as f:
        val = json.load(f)["val"]
    _, value = _held_out_fit(_encoder(_load(model_dir, "cpu"), "cpu", grad=False), val, "val")
    print(f"{model_dir}: val per-block AUC {value:.3f}")


# --- score (needs the pipeline) --------------------------------------------------------


def score(sims_paths: list[str], sim_scales: list[float]) -> None:
    import dataclasses

    from score_segmentation import CachedEmbedder, load_split, meeting_pk

    from pipeline import segment

    decode_agenda, windows = segment._decode_agenda, segment._windows
    current: dict[str, np.ndarray] = {}

    def decode(blocks, card_vecs, *rest):  # the decoder computes windows(...) @ card_vecs.T
        fit = current["fit"].astype(float)
        segment._windows = lambda _vectors, _half: fit
        try:
            return decode_agenda(blocks, np.eye(fit.shape[1]), *rest)
        finally:
            segment._windows = windows

    splits = {s: load_split(s) for s in ("train", "val")}
    embed = {s: CachedEmbedder(WORK / f"embeddings-{s}.pkl") for s in splits}
    print("| sims | epoch | x sim_weight | train ordered | train shuffled | val ordered "
          "| val shuffled |\n|---|---:|---:|---|---|---|---|")  # fmt: skip
    segment._decode_agenda = decode
    try:
        for path in sims_paths:
            fits = np.load(path)
            for epoch in sorted({int(k.split("/")[1]) for k in fits.files}):
                for scale in sim_scales:
                    sim_weight = segment.SegmentOptions().sim_weight * scale
                    options = dataclasses.replace(segment.SegmentOptions(), sim_weight=sim_weight)
                    cells = []
                    for split, condition in itertools.product(splits, ("ordered", "shuffled")):
                        by_domain: dict[str, list[float]] = {}
                        for m in splits[split][condition]:
                            tag = f"f{series_fold(m.id)}" if split == "train" else "all"
                            current["fit"] = fits[f"{tag}/{epoch}/{split}/{condition}/{m.id}"]
                            found = segment.segment_transcript(
                                m.given.transcript.segments, m.given.agenda, embed[split], options
                            )
                            pk = meeting_pk(m, [s.first_turn for s in found])
                            by_domain.setdefault(m.domain, []).append(pk)
                        cells.append(" / ".join(
                            f"{statistics.fmean(by_domain[d]):.3f}" for d in sorted(by_domain)
                        ))  # fmt: skip
                    row = " | ".join([Path(path).stem, str(epoch), f"{scale:g}", *cells])
                    print(f"| {row} |")
    finally:
        segment._decode_agenda = decode_agenda


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("export")
    p = sub.add_parser("train")
    p.add_argument("--model", required=True, help="all-MiniLM-L6-v2 folder")
    p.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    p.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", DATA.parent)))
    p.add_argument("--data", type=Path, default=DATA, help="what `export` wrote")
    p.add_argument("--limit", type=int, default=0, help="meetings per split (a smoke run)")
    p = sub.add_parser("score")
    p.add_argument("--sims", nargs="+", required=True)
    p.add_argument("--sim-scale", type=float, nargs="+", default=[1.0])
    p = sub.add_parser("auc")
    p.add_argument("--model", required=True, help="a sentence-transformers model folder")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.command == "export":
        export()
    elif args.command == "train":
        train(args.model, args.configs, args.out, args.data, args.limit)
    elif args.command == "score":
        score(args.sims, args.sim_scale)
    else:
        auc(args.model)


if __name__ == "__main__":
    sys.exit(main())
