"""groundqa: source-grounded question answering over health and medical texts.

The project's top-level folders (ingest, credibility, index, service, eval) install as subpackages of this
package (setuptools package-dir), so nothing with a generic name lands in site-packages.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("groundqa")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
