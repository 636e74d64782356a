"""The start of a process that writes bulk chunks (demo.bulk).

A fresh interpreter ("spawn"), not a fork: the parent may be a test run or a server with
threads, locks and open database sockets, which a fork would copy into every child. The
child therefore sets Django up itself before it reads a model, and is told which
database to write (a test's, in a test).
"""

import pickle

import django

world = None  # what every chunk draws from (demo.bulk._World), as the parent read it


def start(database: dict, pickled_world: bytes) -> None:
    global world
    django.setup()
    from django.db import connections

    connections["default"].settings_dict.update(database)
    world = pickle.loads(pickled_world)  # written by our own parent
