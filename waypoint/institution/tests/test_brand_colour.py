import pytest
from django.core.exceptions import ValidationError

from waypoint.institution.models import validate_brand_colour


def test_it_accepts_a_dark_brand_colour_that_white_text_can_sit_on():
    validate_brand_colour("#1f4e79")


@pytest.mark.parametrize("colour", ["#ffff00", "#dddddd"])
def test_it_rejects_a_brand_colour_too_light_for_white_text(colour):
    with pytest.raises(ValidationError, match="too light"):
        validate_brand_colour(colour)


@pytest.mark.parametrize("colour", ["red", "#12345", "#1f4e79;}", "url(x)"])
def test_it_rejects_anything_that_is_not_a_hex_colour(colour):
    with pytest.raises(ValidationError, match="form #1a2b3c"):
        validate_brand_colour(colour)
