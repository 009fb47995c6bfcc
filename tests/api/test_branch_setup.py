"""Branches over the API: date exceptions and archiving, a branch's hours held on the public
availability whether or not it is named, and one key never reaching another business's."""

from __future__ import annotations

from tests.api.conftest import LiveHub


def test_a_branch_gets_exceptions_is_archived_and_keeps_its_hours(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    day = tenant.day()
    with tenant.client() as client:
        mornings = [{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(7)]
        changed = client.patch(
            f"/api/v1/branches/{tenant.branch.id}",
            json={
                "hours": mornings,
                "lat": -34.58,
                "lng": -58.42,
                "exceptions": [
                    {
                        "start_date": tenant.day(5).isoformat(),
                        "end_date": tenant.day(5).isoformat(),
                        "reason": "Feriado",
                    }
                ],
            },
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["exceptions"][0]["reason"] == "Feriado"
        assert changed.json()["exceptions"][0]["closed"] is True

        def starts(**extra: str) -> list[str]:
            answer = client.get(
                f"/api/v1/public/businesses/{tenant.slug}/availability",
                params={
                    "service": tenant.service.id,
                    "from": day.isoformat(),
                    "to": day.isoformat(),
                    **extra,
                },
            )
            assert answer.status_code == 200, answer.text
            return sorted({s["start"][11:16] for s in answer.json()["slots"]})

        assert starts()[-1] == "11:30", "the branch closes at 12:00, named or not"
        assert starts(branch=tenant.branch.id)[-1] == "11:30"

        bad = client.patch(f"/api/v1/branches/{tenant.branch.id}", json={"lat": 91})
        assert bad.status_code == 422
        half = client.patch(f"/api/v1/branches/{tenant.branch.id}", json={"lat": None})
        assert half.status_code == 422 and "lat" in half.text

        archived = client.patch(f"/api/v1/branches/{tenant.branch.id}", json={"active": False})
        assert archived.status_code == 200 and archived.json()["active"] is False
        public = client.get(f"/api/v1/public/businesses/{tenant.slug}")
        assert public.json()["branches"] == []
        named = client.get(
            f"/api/v1/public/businesses/{tenant.slug}/availability",
            params={
                "service": tenant.service.id,
                "from": day.isoformat(),
                "to": day.isoformat(),
                "branch": tenant.branch.id,
            },
        )
        assert named.status_code == 404


def test_a_key_never_reaches_another_business_branch(live_hub: LiveHub) -> None:
    ours, theirs = live_hub.tenant(), live_hub.tenant()
    with ours.client() as client:
        assert client.get(f"/api/v1/branches/{theirs.branch.id}").status_code == 404
        answer = client.patch(f"/api/v1/branches/{theirs.branch.id}", json={"active": False})
        assert answer.status_code == 404
    with theirs.client() as client:
        assert client.get(f"/api/v1/branches/{theirs.branch.id}").json()["active"] is True
