"""Live links: whether the URLs of the front-matter still answer, checked politely and cached.

``settings`` holds the ``[tool.fmlint.links]`` configuration; ``fields`` says which
values are URLs; ``site`` checks site-relative links against the files of the site;
``address`` decides which hosts may be contacted; ``probe`` asks the servers;
``answer`` is what they said, and ``store`` keeps it between runs; ``verdict`` turns an answer into a
finding; ``check`` drives one run over every distinct URL. Only ``probe`` and
``progress`` import the HTTP client and the terminal display, and only when a run
has URLs to check.
"""
