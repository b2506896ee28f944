"""The caseworkers' task list (zh-CN) and the public publicity pages.

    app.mount("/", build_tasklist_app(settings, V2Client.from_settings(settings)))

It talks to the engine only through the Camunda 8.8 REST API v2, so it runs against the embedded
engine and a Camunda 8.8 cluster alike. See docs/tasklist.md.
"""

from jiuzhu.tasklist.app import build_tasklist_app
from jiuzhu.tasklist.client import V2Client
from jiuzhu.tasklist.settings import TasklistSettings

__all__ = ["TasklistSettings", "V2Client", "build_tasklist_app"]
