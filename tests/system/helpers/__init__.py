# SPDX-License-Identifier: BSD-3-Clause
"""Scripts and modules that run with /usr/bin/python3, inside the test namespaces."""
