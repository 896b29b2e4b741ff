# ruff: noqa: RUF001  (the unicode is the point: full-width and look-alike characters)
"""About fifty texts of every kind the embedder meets: identifiers, code, prose, unicode,
texts past the 256-token limit, empty and odd ones."""

from __future__ import annotations

HANDLER = '''from ..models.model_user_management_input import ModelUserManagementInput


async def handle_create_user(request: ModelUserManagementInput, repository) -> dict:
    """Validate the payload and persist the new user."""
    record = dict(request.payload)
    if not record.get("email"):
        raise OnexError("VALIDATION_ERROR", "email is required")
    stored = await repository.create(record)
    return {"id": stored["id"], "status": "created"}
'''

PROSE = (
    "The pattern library keeps every handler the user accepted, learns the house style from "
    "the edits made afterwards, and offers those blocks again when a new contract declares an "
    "operation of the same kind. "
)

SHORT = [
    "create",
    "get_user",
    "handle_delete_order",
    "CRUD create",
    "transformation.normalize",
    "aggregation sum by group",
    "orchestrate onboarding workflow",
    "fetch",
    "retrieve",
    "x",
    "42",
    "",
    "   ",
    "\n\t\n",
    "a" * 300,
    "!!!???...",
]

SENTENCES = [
    "Manages users: create, read, update and delete accounts.",
    "Normalises postal addresses before they are stored.",
    "Sums the order totals per customer and returns the grand total.",
    "Runs the fulfilment steps in order and compensates on failure.",
    "EFFECT node user_management, operation create_user, block crud.create",
    "COMPUTE node text_cleaner: parse, sanitize and render markdown",
    "The quick brown fox jumps over the lazy dog.",
    "HTTP 404: resource not found at https://example.org/api/v1/users?id=17&sort=desc",
    "SELECT id, email FROM users WHERE created_at > '2024-01-01' ORDER BY id;",
    "ALL CAPS SHOUTING ABOUT VALIDATION ERRORS",
    "mixedCaseIdentifiersLikeThisOne and snake_case_ones_too",
]

UNICODE = [
    "Crème brûlée, naïve café, Ærøskøbing, São Paulo",
    "日本語のテキストを埋め込みます",
    "中文文本：创建用户并保存到数据库",
    "한국어 문장입니다",
    "Привет, мир! Создать пользователя.",
    "مرحبا بالعالم",
    "שלום עולם",
    "Emoji 😀🚀🔥 in a handler docstring ✅",
    "e\u0301 combining accents a\u0308o\u0308u\u0308",
    "Zero\u200bwidth\u200bspaces and non\u00a0breaking\u00a0ones",
    "Ελληνικά: δημιουργία χρήστη",
    "math: ∑ᵢ xᵢ² ≤ ∞, ∀ε>0 ∃δ",
]

CODE = [
    HANDLER,
    "def handle(request):\n    return request",
    "lambda x: x * 2",
    "class NodeUserManagementEffect(NodeEffect):\n    OPERATIONS = ('create_user',)",
    "total = sum(float(item.get('amount', 0)) for item in request.items)",
    "for step in reversed(completed):\n    await executor.compensate(step)",
    "{'operation': 'create_user', 'payload': {'email': 'a@b.c'}}",
    "#!/usr/bin/env python3\nimport sys\nprint(sys.argv)",
    "try:\n    x = parse(text)\nexcept ValueError as exc:\n    raise OnexError(str(exc))",
]

LONG = [
    PROSE * 6,  # well past 256 tokens
    HANDLER * 4,
    " ".join(f"token{i}" for i in range(400)),
    "日本語 " * 300,
    (PROSE + HANDLER) * 3,
]

TEXTS = SHORT + SENTENCES + UNICODE + CODE + LONG
