"""Deprecated path of :mod:`arkit.loaders.bank` (bank statements are loaders now).

``import arkit.bank`` keeps working for one release, with a :class:`DeprecationWarning`.
"""

import warnings

from arkit.loaders.bank import *  # noqa: F401,F403
from arkit.loaders.bank import __all__  # noqa: F401

warnings.warn("arkit.bank is deprecated: import arkit.loaders.bank (or arkit.read_payments); "
              "the old path goes in the next release", DeprecationWarning, stacklevel=2)
