"""The API docs page is served from django-ninja's own files, which are not an installed app (that
would import the API framework at every command's start): its template and swagger-ui's files come
from settings' template and static folders."""

import re

from django.contrib.staticfiles import finders


def test_the_docs_page_and_its_files_are_served_from_ninja(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    names = re.findall(r'(?:href|src)="/static/(ninja/[^"]+)"', response.content.decode())
    assert {"ninja/swagger-ui.css", "ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js"} <= set(names)
    assert all(finders.find(name) for name in names), names
