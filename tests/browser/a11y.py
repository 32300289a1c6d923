"""axe-core (from npm, node_modules/axe-core) run inside the page: no serious or critical violation allowed."""

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page) -> list[str]:
    # The app's Content Security Policy forbids injected scripts: contexts that run axe bypass it (bypass_csp).
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']} – {v['help']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
