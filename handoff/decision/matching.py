"""Match what the caller said or pressed to a topic, in time independent of the topic count."""

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

from handoff.config import EnvironmentConfig, TopicConfig

_WORD = re.compile(r"\w+")
_CACHE_SIZE = 32


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

    @classmethod
    def compile(cls, topics: tuple[TopicConfig, ...]) -> "Matcher":
        """Build the tables; on a shared phrase or digit the first topic by position wins."""
        phrases: dict[tuple[str, ...], TopicConfig] = {}
        digits: dict[str, TopicConfig] = {}
        for topic in sorted(topics, key=lambda t: (t.position, t.id)):
            for phrase in topic.phrases:
                words = normalise(phrase)
                if words:
                    phrases.setdefault(words, topic)
            if topic.dtmf:
                digits.setdefault(topic.dtmf.strip(), topic)
        lengths = tuple(sorted({len(p) for p in phrases}, reverse=True))
        return cls(phrases=phrases, lengths=lengths, digits=digits)

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


_cache: OrderedDict[tuple[str, int, int], tuple[EnvironmentConfig, Matcher]] = OrderedDict()
_lock = threading.Lock()


def matcher_for(config: EnvironmentConfig) -> Matcher:
    """Return the compiled matcher of ``config``, compiling it once per config object."""
    key = (config.environment, config.version, id(config))
    with _lock:
        entry = _cache.get(key)
        # The entry holds the config itself, so its id cannot be reused while cached.
        if entry is not None and entry[0] is config:
            _cache.move_to_end(key)
            return entry[1]
    matcher = Matcher.compile(config.topics)
    with _lock:
        _cache[key] = (config, matcher)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return matcher


def match_topic(config: EnvironmentConfig, speech: str, digits: str) -> TopicConfig | None:
    """Return the topic the caller asked for: digits first, then speech."""
    matcher = matcher_for(config)
    if digits:
        topic = matcher.match_digits(digits)
        if topic is not None:
            return topic
    return matcher.match_speech(speech) if speech else None
