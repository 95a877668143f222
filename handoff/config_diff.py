"""What a promote would change: the difference between two environment configurations.

Pure: two EnvironmentConfig values in, a list of changes out. Destinations and topics are
matched by name, because promote gives live its own ids.
"""

from dataclasses import asdict, dataclass

from handoff.config import EnvironmentConfig

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
IGNORED = {"id", "position"}


@dataclass(frozen=True)
class Change:
    """One thing that differs: a destination, a topic, the integration or the flow."""

    section: str
    name: str
    kind: str
    fields: tuple[tuple[str, object, object], ...] = ()


def _comparable(config: EnvironmentConfig, item) -> dict:
    """Return an item's fields with ids replaced by the names they point at."""
    data = {k: v for k, v in asdict(item).items() if k not in IGNORED}
    for key in ("fallback_id", "destination_id"):
        if key in data:
            target = config.destination(data.pop(key))
            label = key.removesuffix("_id")
            data[label] = target.name if target else ("the default" if key[0] == "d" else None)
    if "sip_headers" in data:
        data["sip_headers"] = [f"{h['name']}: {h['value']}" for h in data["sip_headers"]]
    return data


def _field_changes(before: dict, after: dict) -> tuple:
    keys = list(dict.fromkeys([*before, *after]))
    return tuple((k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k))


def _named(section: str, old: EnvironmentConfig, new: EnvironmentConfig) -> list[Change]:
    before = {i.name.lower(): i for i in getattr(old, section)}
    after = {i.name.lower(): i for i in getattr(new, section)}
    changes = []
    for key, item in after.items():
        if key not in before:
            changes.append(Change(section, item.name, ADDED))
            continue
        fields = _field_changes(_comparable(old, before[key]), _comparable(new, item))
        if fields:
            changes.append(Change(section, item.name, CHANGED, fields))
    changes += [Change(section, i.name, REMOVED) for k, i in before.items() if k not in after]
    return changes


def diff_configs(old: EnvironmentConfig, new: EnvironmentConfig) -> list[Change]:
    """Return what changes when ``old`` is replaced by ``new``."""
    changes = _named("destinations", old, new) + _named("topics", old, new)
    for section in ("integration", "flow"):
        fields = _field_changes(asdict(getattr(old, section)), asdict(getattr(new, section)))
        if fields:
            changes.append(Change(section, section.capitalize(), CHANGED, fields))
    return changes
