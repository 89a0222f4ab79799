"""Marks data/ as the package ``railplan_data`` so that the wheel carries it (see
pyproject.toml); it holds no code. Read it through :func:`network.resources.data_path`."""
