from .operators import Operator

__all__ = ["Operator"]
