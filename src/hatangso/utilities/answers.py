"""Answers worked out once per key and looked up in C afterwards."""


class Answers(dict):
    """`function`'s answer for each key, worked out on the key's first lookup and kept: a key found
    again costs no call into Python (a national file repeats its few periods, elements and dates and
    its thousands of units a million times). An exception of a type in `kept` is kept as the key's
    answer instead of raised, so a problem is found once too."""

    def __init__(self, function, kept: tuple[type[Exception], ...] = ()):
        super().__init__()
        self.function = function
        self.kept = kept

    def __missing__(self, key):
        try:
            answer = self.function(key)
        except self.kept as exc:
            answer = exc
        self[key] = answer
        return answer
