"""The Shanxi international rail freight network: places, links, services and timetable.

>>> import network
>>> net = network.load()
>>> net.resolve("太原")
'taiyuan'
"""

from network.core import Network, Route, UnknownPlaceError, data_dir, load, validate
from network.io import NetworkError, read_text
from network.model import CORRIDORS, LINK_MODES, NODE_KINDS, Departure, Link, Node, Service

__all__ = [
    "CORRIDORS",
    "LINK_MODES",
    "NODE_KINDS",
    "Departure",
    "Link",
    "Network",
    "NetworkError",
    "Node",
    "Route",
    "Service",
    "UnknownPlaceError",
    "data_dir",
    "load",
    "read_text",
    "validate",
]
