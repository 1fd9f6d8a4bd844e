import re
from tests.governance.cast import make_decision
from django.urls import reverse

def test_dbg(place, steward, client_for):
    d = make_decision(place, steward)
    c = client_for(steward)
    html = c.get(reverse("governance:decide", kwargs={"slug": place.slug, "pk": d.pk})).content.decode()
    print(re.findall(r'<input[^>]*>', html))
    r = c.post(reverse("governance:decide", kwargs={"slug": place.slug, "pk": d.pk}), {"version": d.version, "outcome": "o", "reasoning": "r", "method_result": "m", "decided_on": "2026-11-25"})
    print(r.status_code, re.findall(r'error-summary__list">(.*?)</ul>', r.content.decode(), re.S))
