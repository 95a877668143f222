"""Text to speech for utterances and prompts: Debian's espeak-ng rendered to cached WAV files."""

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
ENGINE = "espeak-ng"
SKIPPED = (
    "utterance_skipped",
    "No text-to-speech engine (espeak-ng) is installed on the SIP worker; "
    "the utterance was not played.",
)


class Speech:
    """Render text to an 8 kHz-friendly WAV once per (text, voice) and reuse the file."""

    def __init__(self, folder: str, engine: str | None = None):
        self.folder = Path(folder)
        self.engine = engine if engine is not None else shutil.which(ENGINE)
        if not self.engine:
            log.warning(
                "%s is not installed: utterances and prompts will be skipped "
                "(apt-get install espeak-ng)",
                ENGINE,
            )

    @property
    def available(self) -> bool:
        """Return whether text can be spoken."""
        return bool(self.engine)

    def render(self, text: str, language: str = "en-US") -> str | None:
        """Return the path of a WAV saying ``text``, or None when nothing can be played."""
        if not text or not self.engine:
            return None
        voice = (language or "en").lower()
        key = hashlib.sha256(f"{voice}\0{text}".encode()).hexdigest()[:32]
        path = self.folder / f"{key}.wav"
        if not path.exists():
            self._synthesise(text, voice, path)
        return str(path) if path.exists() else None

    def _synthesise(self, text: str, voice: str, path: Path) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".wav")
        os.close(fd)
        try:
            for attempt in (voice, "en"):
                # "--" so that text starting with "-" is never read as an option.
                command = [self.engine, "-v", attempt, "-w", tmp, "--", text]
                if subprocess.run(command, capture_output=True, timeout=20).returncode == 0:
                    os.replace(tmp, path)
                    return
            log.error("%s could not say %r", ENGINE, text[:80])
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
