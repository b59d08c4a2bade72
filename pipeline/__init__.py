"""Lean Coffee roundtable recordings in, reviewed knowledge out.

Stages, in data-flow order, one module each: ``ingest`` (decode the recording),
``transcribe`` (Whisper), ``repetition`` (flag hallucination loops), ``agenda``
(the board of cards), ``render`` (markdown + JSON sidecar). ``runner`` wires them.
"""

__version__ = "0.1.0"
