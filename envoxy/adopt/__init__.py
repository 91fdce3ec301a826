"""Adopting envoxy in an existing project: find what is there, infer its rules, write them.

:mod:`~envoxy.adopt.discover` finds model directories, :mod:`~envoxy.adopt.infer` infers the
profile from the tables a history or a database already has, :mod:`~envoxy.adopt.render` writes
the commented ``rules.yaml``. ``envoxy init`` (:mod:`envoxy.commands.init`) puts them together.
"""
