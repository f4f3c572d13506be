from .incidents import Incident, IncidentEvent, IncidentPhoto, Road
from .tasks import Evidence, ProgressUpdate, Task

__all__ = ["Evidence", "Incident", "IncidentEvent", "IncidentPhoto", "ProgressUpdate", "Road", "Task"]
