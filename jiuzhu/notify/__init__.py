"""Notifications: a durable outbox in the case record, routes as county data, pluggable channels.

Producers call :func:`enqueue` inside their own transaction; the :class:`Dispatcher` sends.
"""

from jiuzhu.notify.channels import Channel, HttpSender, Outgoing, SmtpChannel
from jiuzhu.notify.dispatcher import Dispatcher
from jiuzhu.notify.outbox import enqueue
from jiuzhu.notify.routes import Routes, RoutesError, load_routes
from jiuzhu.notify.settings import NotifySettings
from jiuzhu.notify.sweeps import unpaid_relief

__all__ = [
    "Channel",
    "Dispatcher",
    "HttpSender",
    "NotifySettings",
    "Outgoing",
    "Routes",
    "RoutesError",
    "SmtpChannel",
    "enqueue",
    "load_routes",
    "unpaid_relief",
]
