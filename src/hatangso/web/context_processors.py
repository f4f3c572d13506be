from hatangso.collection.models import DataValue


def synthetic_data(request):
    """Whether the installation holds synthetic demo data, so every page can say so."""
    return {"synthetic_data": DataValue.objects.filter(synthetic=True).exists()}
