"""Match what the caller said or pressed to a topic, in time independent of the topic count."""

import re
import unicodedata
from dataclasses import dataclass

from handoff.config import EnvironmentConfig, TopicConfig

_WORD = re.compile(r"\w+")


def normalise(text: str) -> tuple[str, ...]:
    """Return the words of ``text``: NFKC, case-folded, accents and punctuation dropped."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or "").casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return tuple(_WORD.findall(plain))


@dataclass(frozen=True)
class Matcher:
    """Phrase and digit look-up tables compiled from one configuration."""

    phrases: dict[tuple[str, ...], TopicConfig]
    lengths: tuple[int, ...]
    digits: dict[str, TopicConfig]
    # The first topic (by position) to hand off straight from /voice/call, if any.
    immediate: TopicConfig | None = None

    @classmethod
    def compile(cls, topics: tuple[TopicConfig, ...]) -> "Matcher":
        """Build the tables; on a shared phrase or digit the first topic by position wins."""
        phrases: dict[tuple[str, ...], TopicConfig] = {}
        digits: dict[str, TopicConfig] = {}
        ordered = sorted(topics, key=lambda t: (t.position, t.id))
        for topic in ordered:
            for phrase in topic.phrases:
                words = normalise(phrase)
                if words:
                    phrases.setdefault(words, topic)
            if topic.dtmf:
                digits.setdefault(topic.dtmf.strip(), topic)
        lengths = tuple(sorted({len(p) for p in phrases}, reverse=True))
        immediate = next((t for t in ordered if t.immediate), None)
        return cls(phrases=phrases, lengths=lengths, digits=digits, immediate=immediate)

    def match_speech(self, speech: str) -> TopicConfig | None:
        """Return the topic of the longest phrase found in ``speech``, earliest first on ties."""
        words = normalise(speech)
        for size in self.lengths:
            for start in range(len(words) - size + 1):
                topic = self.phrases.get(words[start : start + size])
                if topic is not None:
                    return topic
        return None

    def match_digits(self, digits: str) -> TopicConfig | None:
        """Return the topic bound to exactly these digits."""
        return self.digits.get((digits or "").strip())


def matcher_for(config: EnvironmentConfig) -> Matcher:
    """Return the compiled matcher of ``config``, compiling it once per config object."""
    return config.derived("matcher", lambda c: Matcher.compile(c.topics))


def match_topic(config: EnvironmentConfig, speech: str, digits: str) -> TopicConfig | None:
    """Return the topic the caller asked for: digits first, then speech."""
    matcher = matcher_for(config)
    if digits:
        topic = matcher.match_digits(digits)
        if topic is not None:
            return topic
    return matcher.match_speech(speech) if speech else None
