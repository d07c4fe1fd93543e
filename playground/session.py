"""Sessions: one per browser tab, each training its own lanes, forgotten when idle.

A ``Session`` holds the data and the lanes of one configuration; ``Sessions`` keeps the
live ones by a random id, drops those idle for longer than ``ttl`` seconds and refuses
new ones beyond ``cap`` (the page then says to close other tabs).
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from playground.config import DATASETS, Config
from playground.training import Lane, make_data


class Session:
    """The lanes of one configuration on one data set; ``lock`` serialises its requests."""

    def __init__(self, config: Config) -> None:
        self.lock = threading.Lock()
        self.last_used = time.monotonic()
        self.configure(config)

    def configure(self, config: Config) -> None:
        """Start afresh: new data and new networks from ``config`` (and its seed)."""
        self.config = config
        self.data = make_data(config)
        labels = [lane.get("label") for lane in config.lanes] or [None]
        self.lanes = [Lane(c, self.data, label or c.optimizer)
                      for c, label in zip(config.lane_configs(), labels, strict=True)]

    def step(self, iterations: int) -> None:
        """``iterations`` more updates in every lane that has not diverged."""
        for lane in self.lanes:
            lane.step(iterations)

    def state(self, grid: int, with_data: bool = False) -> dict[str, Any]:
        """What the page draws: every lane's picture, and with ``with_data`` the settings
        and the points (sent when they change, not with every step)."""
        state: dict[str, Any] = {"lanes": [lane.picture(grid) for lane in self.lanes],
                                 "grid": grid}
        if with_data:
            state["config"] = self.config.to_json()
            state["data"] = self.data.to_json()
            state["data"]["title"] = DATASETS[self.config.dataset][0]
        return state


class TooManySessions(RuntimeError):
    """The cap on live sessions is reached (HTTP 503)."""


class Sessions:
    """Live sessions by id: at most ``cap`` at a time, each dropped after ``ttl`` idle
    seconds. Thread-safe; ``clock`` is replaceable for tests."""

    def __init__(self, cap: int = 32, ttl: float = 900.0, clock: Any = time.monotonic) -> None:
        self.cap, self.ttl, self.clock = cap, ttl, clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._sessions)

    def _expire(self) -> None:
        now = self.clock()
        for key in [k for k, s in self._sessions.items() if now - s.last_used > self.ttl]:
            del self._sessions[key]

    def _check_room(self) -> None:
        self._expire()
        if len(self._sessions) >= self.cap:
            raise TooManySessions(
                f"{self.cap} sessions are live, the most this server keeps: close other "
                f"playground tabs, or wait {self.ttl / 60:g} minutes for idle ones to end")

    def create(self, config: Config) -> tuple[str, Session]:
        """A new session (its data drawn and networks built) and its id."""
        with self._lock:
            self._check_room()
        session = Session(config)  # outside the lock: building takes a moment
        key = secrets.token_urlsafe(12)
        with self._lock:
            self._check_room()  # again: another request may have taken the last place
            session.last_used = self.clock()
            self._sessions[key] = session
        return key, session

    def get(self, key: str) -> Session | None:
        """The live session ``key`` (now marked as used), or None if unknown or expired."""
        with self._lock:
            self._expire()
            session = self._sessions.get(key)
            if session is not None:
                session.last_used = self.clock()
            return session

    def delete(self, key: str) -> bool:
        """End session ``key``; False if there was none."""
        with self._lock:
            return self._sessions.pop(key, None) is not None
