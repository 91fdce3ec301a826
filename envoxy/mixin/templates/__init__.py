"""The fixed code of the generated mixin module, as real Python that ruff and mypy check.

Never imported at run time: :mod:`envoxy.mixin.blocks` reads these files as text and
hands :mod:`envoxy.mixin.source` their blocks, each the code between two ``# @block NAME``
markers, copied verbatim into the module. What a block uses from the code the generator writes
(``EnvoxyMixin``, ``_MIXIN_DEFAULTS``, ...) is declared for the type checker in
:mod:`envoxy.mixin.templates._generated`.
"""
