"""The engine's HTTP side: health, the controlled clock (as Zeebe's `/v2/clock`), topology."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from jiuzhu.engine.runtime import Engine


class ClockPin(BaseModel):
    timestamp: int  # epoch milliseconds, as Camunda's REST API takes it


class ClockAdvance(BaseModel):
    seconds: float


def build_app(engine: Engine, allow_clock: bool) -> FastAPI:
    app = FastAPI(title="jiuzhu engine", version="0.1.0")
    app.state.ready = False

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        if not app.state.ready:
            raise HTTPException(status_code=503, detail="starting")
        return {"status": "UP", "instances": engine.instance_count(), "jobs": engine.job_count()}

    def _clock_guard() -> None:
        if not allow_clock:
            raise HTTPException(
                status_code=403, detail="the engine clock is not controllable: start with --clock controlled"
            )

    def _now() -> dict[str, Any]:
        now = engine.clock.now()
        return {"timestamp": int(now.timestamp() * 1000), "iso": now.isoformat()}

    @app.get("/v2/clock")
    def get_clock() -> dict[str, Any]:
        return _now()

    @app.put("/v2/clock")
    def pin_clock(body: ClockPin) -> dict[str, Any]:
        _clock_guard()
        engine.clock.pin(datetime.fromtimestamp(body.timestamp / 1000, tz=UTC))
        return _now()

    @app.post("/v2/clock/advance")
    def advance_clock(body: ClockAdvance) -> dict[str, Any]:
        _clock_guard()
        engine.clock.advance(timedelta(seconds=body.seconds))
        return _now()

    @app.post("/v2/clock/reset")
    def reset_clock() -> dict[str, Any]:
        _clock_guard()
        engine.clock.reset()
        return _now()

    return app
